import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { toEpochMicros } from '../../common/time';
import { TransactionRunner } from '../../db/transaction-runner';
import { BookingCandidate, BookingContext, BookingGuard, ContextKey } from '../../leasing/booking/booking-guard';
import { ProjectChains } from '../lookups/project-ancestry';
import { QuotaExceeded } from '../lease-policy.errors';
import { AddedBooking, QuotaScope, QuotaUsage } from '../quotas/quota-usage';

const PROJECT_CHAINS = new ContextKey<ProjectChains>('project chains');

/** The `resource_locks` type under which a project's quotas are serialised. */
export const PROJECT_LOCK_TYPE = 'project';

/**
 * Project quotas on every booking of a lease (claim, direct lease, sub-lease, group member,
 * extension). Inside the booking's transaction it locks each quota's project, after the
 * resources' locks (so the order is always resources, then projects, and bookings cannot wait
 * for each other in a cycle), then counts: two bookings of one project serialise on that
 * lock, so however many run at once the quota is never exceeded. Before locking it refuses
 * what is already over the quota, so a burst of refusals does not queue for the lock.
 */
@Injectable()
export class QuotaGuard implements BookingGuard {
  constructor(
    private readonly usage: QuotaUsage,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async beforeLocking(candidates: readonly BookingCandidate[], context: BookingContext): Promise<void> {
    const added = addedBookings(candidates);
    if (added.length === 0 || !this.usage.inForce()) return;
    const chains = await context.once(PROJECT_CHAINS, () =>
      this.usage.prepare(
        added.map((a) => a.projectId),
        this.clock.now(),
      ),
    );
    await this.refuseOverQuota(undefined, added, chains);
  }

  async check(em: EntityManager, candidates: readonly BookingCandidate[], context: BookingContext): Promise<void> {
    const added = addedBookings(candidates);
    if (added.length === 0 || !this.usage.inForce()) return;
    await this.refuseOverQuota(em, added, (await context.loaded(PROJECT_CHAINS)) ?? new Map());
  }

  private async refuseOverQuota(
    em: EntityManager | undefined,
    added: readonly AddedBooking[],
    chains: ProjectChains,
  ): Promise<void> {
    const scopes = new Map<string, { scope: QuotaScope; added: AddedBooking[] }>();
    for (const booking of added) {
      for (const scope of this.usage.scopesOf(booking.projectId, chains)) {
        const entry = scopes.get(scope.projectId) ?? { scope, added: [] };
        entry.added.push(booking);
        scopes.set(scope.projectId, entry);
      }
    }
    if (scopes.size === 0) return;
    if (em) {
      await this.tx.lockResources(
        em,
        [...scopes.keys()].map((projectId) => ({ resourceType: PROJECT_LOCK_TYPE, resourceUuid: projectId })),
      );
    }
    for (const { scope, added: covered } of scopes.values()) {
      const refusal = await this.usage.refusal(em, scope, covered, chains);
      if (refusal) throw new QuotaExceeded(refusal);
    }
  }
}

/** The leases and extensions among the candidates, as what they add to their lessee's usage. */
function addedBookings(candidates: readonly BookingCandidate[]): AddedBooking[] {
  return (
    candidates
      // A move holds the same node-hours on another node: it adds nothing.
      .filter((c) => c.kind === 'lease' || c.kind === 'extension')
      .map((c) => ({
        projectId: c.projectId,
        newLease: c.kind === 'lease',
        span: {
          resource: `${c.resourceType}/${c.resourceUuid}`,
          start: toEpochMicros(c.start),
          end: toEpochMicros(c.end),
        },
      }))
  );
}

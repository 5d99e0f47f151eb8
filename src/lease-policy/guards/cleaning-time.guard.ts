import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { fromEpochMicros, toEpochMicros, UtcTime } from '../../common/time';
import { BookingCandidate, BookingContext, BookingGuard } from '../../leasing/booking/booking-guard';
import { LEASE_OCCUPYING } from '../../leasing/data/statuses';
import { CleaningTimeConflict } from '../lease-policy.errors';
import { describeDuration } from '../../leasing/limits/durations';
import { LeaseLimits } from '../../leasing/limits/lease-limits';
import { BookedResources, resourceClassIn } from '../lookups/booked-resources';

/**
 * The cleaning time (`min_gap`) between consecutive leases on a node, inside the booking's
 * transaction with the node's lock held, for every booking (admins' too: the node needs it
 * whoever books). Consecutive means on the same node and at the same level: two leases on the
 * node itself (direct leases, claims of offers on it), or two leases inside the same parent
 * lease (its sub-leases and the claims of its sub-offers); a sub-lease does not need a gap from
 * the lease it is made inside. The conflict checks have already refused overlaps; this refuses
 * a lease that starts or ends within the gap of another.
 */
@Injectable()
export class CleaningTimeGuard implements BookingGuard {
  constructor(
    private readonly limits: LeaseLimits,
    private readonly resources: BookedResources,
  ) {}

  async beforeLocking(candidates: readonly BookingCandidate[], context: BookingContext): Promise<void> {
    if (this.limits.document() && this.limits.dependsOnResourceClass()) await this.resources.load(context, candidates);
  }

  async check(em: EntityManager, candidates: readonly BookingCandidate[], context: BookingContext): Promise<void> {
    if (!this.limits.document()) return;
    const nodes = await this.resources.loaded(context);
    const leases = candidates.filter((c) => c.kind !== 'offer');
    for (const [i, candidate] of leases.entries()) {
      const gapSeconds = this.limits.gapSeconds(resourceClassIn(nodes, candidate));
      if (gapSeconds === 0) continue;
      const gap = BigInt(gapSeconds) * 1_000_000n;
      // An extension continues its own lease: only its new end needs the gap.
      const from = candidate.kind === 'extension' ? candidate.start : shift(candidate.start, -gap);
      const to = shift(candidate.end, gap);
      const tooClose =
        leases.some((other, j) => j !== i && sameLevel(candidate, other) && other.start < to && other.end > from) ||
        (await occupiedNear(em, candidate, from, to));
      if (tooClose) {
        throw new CleaningTimeConflict(candidate.resourceType, candidate.resourceUuid, describeDuration(gapSeconds));
      }
    }
  }
}

function sameLevel(a: BookingCandidate, b: BookingCandidate): boolean {
  return (
    a.resourceType === b.resourceType &&
    a.resourceUuid === b.resourceUuid &&
    (a.parentLeaseUuid ?? null) === (b.parentLeaseUuid ?? null)
  );
}

/** Whether an occupying lease at the candidate's level on its node overlaps `[from, to)`. */
async function occupiedNear(
  em: EntityManager,
  candidate: BookingCandidate,
  from: UtcTime,
  to: UtcTime,
): Promise<boolean> {
  const parent = candidate.parentLeaseUuid ?? null;
  const params: unknown[] = [candidate.resourceType, candidate.resourceUuid, ...LEASE_OCCUPYING, to, from];
  let sql =
    'SELECT 1 FROM leases WHERE resource_type = ? AND resource_uuid = ? ' +
    `AND status IN (${LEASE_OCCUPYING.map(() => '?').join(', ')}) AND start_time < ? AND end_time > ? ` +
    (parent === null ? 'AND parent_lease_uuid IS NULL' : 'AND parent_lease_uuid = ?');
  if (parent !== null) params.push(parent);
  if (candidate.current) {
    sql += ' AND uuid <> ?';
    params.push(candidate.current.uuid);
  }
  const rows = (await em.query(`${sql} LIMIT 1`, params)) as unknown[];
  return rows.length > 0;
}

function shift(t: UtcTime, micros: bigint): UtcTime {
  return fromEpochMicros(toEpochMicros(t) + micros);
}

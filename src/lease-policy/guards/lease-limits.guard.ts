import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { HTTPResourceForbidden } from '../../common/errors/esi-leap.exceptions';
import { fromEpochMicros, toEpochMicros, toIso, UtcTime } from '../../common/time';
import { BookingCandidate, BookingContext, BookingGuard } from '../../leasing/booking/booking-guard';
import { LeaseEntity } from '../../leasing/data/lease.entity';
import { LeaseStatus, LeaseStatusName } from '../../leasing/data/statuses';
import { LeaseLimitExceeded } from '../lease-policy.errors';
import { describeDuration } from '../../leasing/limits/durations';
import { LeaseLimits } from '../../leasing/limits/lease-limits';
import { LengthLimitName, LengthLimits } from '../../leasing/limits/limits-file';
import { BookedNodes, BookedResources, resourceClassIn } from '../lookups/booked-resources';

/** Leases that can still be extended by their lessee: not ending, not ended. */
const EXTENDABLE: readonly LeaseStatusName[] = [LeaseStatus.CREATED, LeaseStatus.ACTIVE, LeaseStatus.WAIT_FULFILL];

/**
 * The lease limits of the limits file, for callers bound by them (not lease admins, nor holders
 * of `esi_leap:lease:update` changing an end): a new lease's length and how far ahead it
 * starts, checked before any lock (they depend on nothing stored); an extension's window, size
 * and the lease's total length, checked again inside the lock against the lease as it is then.
 */
@Injectable()
export class LeaseLimitsGuard implements BookingGuard {
  constructor(
    private readonly limits: LeaseLimits,
    private readonly resources: BookedResources,
    private readonly clock: Clock,
  ) {}

  async beforeLocking(candidates: readonly BookingCandidate[], context: BookingContext): Promise<void> {
    // A move keeps its lease's window and holder: the limits were met when it was booked.
    const leases = candidates.filter((c) => c.kind === 'lease' || c.kind === 'extension');
    if (leases.length === 0 || !this.limits.document()) return;
    const nodes = this.limits.dependsOnResourceClass() ? await this.resources.load(context, leases) : undefined;
    const now = this.clock.now();
    for (const candidate of leases) {
      if (!(candidate.requester?.boundByLimits ?? true)) continue;
      const limits = this.limitsFor(candidate, nodes);
      if (!limits) continue;
      if (candidate.kind === 'extension') assertExtension(limits, candidate.current!, candidate.end, now);
      else assertNewLease(limits, candidate.start, candidate.end, now);
    }
  }

  async check(_em: EntityManager, candidates: readonly BookingCandidate[], context: BookingContext): Promise<void> {
    const now = this.clock.now();
    const nodes = await this.resources.loaded(context);
    for (const candidate of candidates) {
      if (candidate.kind !== 'extension' || !(candidate.requester?.boundByLimits ?? true)) continue;
      const limits = this.limitsFor(candidate, nodes);
      if (limits) assertExtension(limits, candidate.current!, candidate.end, now);
    }
  }

  private limitsFor(candidate: BookingCandidate, nodes: BookedNodes | undefined): LengthLimits | null {
    return this.limits.forLease(candidate.projectId, resourceClassIn(nodes, candidate));
  }
}

function assertNewLease(limits: LengthLimits, start: UtcTime, end: UtcTime, now: UtcTime): void {
  const length = seconds(start, end);
  if (exceeds(length, limits.max_lease_length)) {
    refuse(
      'max_lease_length',
      limits.max_lease_length!,
      length,
      (max, asked) => `A lease may last at most ${max}; this one would last ${asked}.`,
    );
  }
  const ahead = Math.max(0, seconds(now, start));
  if (exceeds(ahead, limits.booking_horizon)) {
    refuse(
      'booking_horizon',
      limits.booking_horizon!,
      ahead,
      (max, asked) => `A lease may start at most ${max} ahead; this one would start in ${asked}.`,
    );
  }
}

function assertExtension(limits: LengthLimits, lease: LeaseEntity, newEnd: UtcTime, now: UtcTime): void {
  // Anything but extending a live lease keeps the answer a caller without lease:update always had.
  if (!EXTENDABLE.includes(lease.status))
    throw new HTTPResourceForbidden({ resource_type: 'lease', resource: lease.uuid });
  const left = Math.max(0, seconds(now, lease.endTime));
  if (exceeds(left, limits.extension_window)) {
    const opens = toIso(shift(lease.endTime, -limits.extension_window!));
    refuse(
      'extension_window',
      limits.extension_window!,
      left,
      (window) => `Lease ${lease.uuid} may be extended only in the last ${window} before its end, from ${opens}.`,
    );
  }
  const added = seconds(lease.endTime, newEnd);
  if (exceeds(added, limits.max_extension)) {
    refuse(
      'max_extension',
      limits.max_extension!,
      added,
      (max, asked) => `An extension may add at most ${max}; this one would add ${asked}.`,
    );
  }
  const total = seconds(lease.startTime, newEnd);
  if (exceeds(total, limits.max_total_length)) {
    refuse(
      'max_total_length',
      limits.max_total_length!,
      total,
      (max, asked) => `A lease may last at most ${max} with its extensions; this one would last ${asked}.`,
    );
  }
}

/** Exactly at a limit is allowed; only beyond it is refused. */
function exceeds(value: number, limit: number | null): boolean {
  return limit !== null && value > limit;
}

function refuse(
  name: LengthLimitName,
  limit: number,
  requested: number,
  message: (limit: string, requested: string) => string,
): never {
  throw new LeaseLimitExceeded(message(describeDuration(limit), describeDuration(requested)), name, limit, requested);
}

/** Seconds from `a` to `b`, with the microseconds (so a microsecond beyond a limit is beyond it). */
function seconds(a: UtcTime, b: UtcTime): number {
  return Number(toEpochMicros(b) - toEpochMicros(a)) / 1e6;
}

function shift(t: UtcTime, bySeconds: number): UtcTime {
  return fromEpochMicros(toEpochMicros(t) + BigInt(bySeconds) * 1_000_000n);
}

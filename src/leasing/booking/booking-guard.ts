import { EntityManager } from 'typeorm';
import { UtcTime } from '../../common/time';
import { LeaseEntity } from '../data/lease.entity';

/** One booking about to be written, as a guard sees it. */
export interface BookingCandidate {
  /**
   * A new offer, a new lease (claim, direct, sub-lease, group member), a later end for a lease,
   * or a lease that has not started moved to another resource (`current` is it before the move).
   */
  readonly kind: 'offer' | 'lease' | 'extension' | 'move';
  readonly resourceType: string;
  readonly resourceUuid: string;
  /** The window it books: for an extension, the added part `[old end, new end)`. */
  readonly start: UtcTime;
  readonly end: UtcTime;
  /** Who will hold it: the lessee of a lease, the owner of an offer. */
  readonly projectId: string;
  /** The lease as it is now, for an extension or a move. */
  readonly current?: LeaseEntity;
}

/**
 * A rule every booking path obeys, beside the conflict checks (node health, limits, quotas,
 * an external enforcement service). Guards are provided under BOOKING_GUARDS and run by
 * BookingService for every booking, group members all at once, so no path can skip one.
 */
export interface BookingGuard {
  /**
   * Before any lock is taken, with no transaction open: for checks that call out (an external
   * service), which must never hold a lock while they wait.
   */
  beforeLocking?(candidates: readonly BookingCandidate[]): Promise<void>;
  /**
   * Inside the booking's transaction, after the conflict checks, with the resources' locks
   * held: for checks that read what other bookings write (a guard that counts across
   * resources, such as a quota, takes its own lock first). Throws to refuse.
   */
  check(em: EntityManager, candidates: readonly BookingCandidate[]): Promise<void>;
}

export const BOOKING_GUARDS = 'BOOKING_GUARDS';

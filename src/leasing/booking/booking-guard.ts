import { EntityManager } from 'typeorm';
import { UtcTime } from '../../common/time';
import { LeaseEntity } from '../data/lease.entity';

/** Who asked for a booking, for the guards whose answer depends on it. */
export interface BookingRequester {
  readonly userId: string | null;
  readonly projectId: string | null;
  /**
   * Whether the lease limits apply: not to lease admins (as upstream's `max_lease_time`), nor
   * to an end change by a holder of `esi_leap:lease:update`.
   */
  readonly boundByLimits: boolean;
}

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
  /** A new lease's or offer's name. */
  readonly name?: string | null;
  /** The offer a new lease is claimed from, if any. */
  readonly offerUuid?: string | null;
  /** The lease a new lease or offer is booked inside (a sub-lease, a claim of a sub-offer), if any. */
  readonly parentLeaseUuid?: string | null;
  /** Absent for a booking no API caller asked for: then every limit applies. */
  readonly requester?: BookingRequester;
}

/** Names a value the guards of one booking share (`BookingContext`). */
export class ContextKey<T> {
  /** Only carries T, so `once` and `loaded` agree on the value's type. */
  declare private readonly type?: T;

  constructor(readonly name: string) {}
}

/**
 * What the guards of one booking worked out before locking (a node's resource class from its
 * driver, a project's parents from Keystone), for them to read again inside the lock, where no
 * call out may run. One per booking: nothing outlives it.
 */
export class BookingContext {
  private readonly values = new Map<ContextKey<unknown>, Promise<unknown>>();

  /** Before locking: the value of `key` for this booking, loaded the first time a guard asks. */
  once<T>(key: ContextKey<T>, load: () => Promise<T>): Promise<T> {
    let value = this.values.get(key) as Promise<T> | undefined;
    if (!value) {
      value = load();
      this.values.set(key, value);
    }
    return value;
  }

  /** Inside the lock: what `once` loaded for `key`, undefined when no guard asked for it. */
  loaded<T>(key: ContextKey<T>): Promise<T> | undefined {
    return this.values.get(key) as Promise<T> | undefined;
  }
}

/**
 * A rule every booking path obeys, beside the conflict checks (node health, limits, quotas,
 * an external enforcement service). Guards are provided under BOOKING_GUARDS and run by
 * BookingService for every booking, group members all at once, so no path can skip one.
 */
export interface BookingGuard {
  /**
   * Before any lock is taken, with no transaction open: for checks that call out (an external
   * service), which must never hold a lock while they wait, and for loading (into `context`)
   * what `check` will need.
   */
  beforeLocking?(candidates: readonly BookingCandidate[], context: BookingContext): Promise<void>;
  /**
   * Inside the booking's transaction, after the conflict checks, with the resources' locks
   * held: for checks that read what other bookings write (a guard that counts across
   * resources, such as a quota, takes its own lock first). Throws to refuse.
   */
  check(em: EntityManager, candidates: readonly BookingCandidate[], context: BookingContext): Promise<void>;
}

export const BOOKING_GUARDS = 'BOOKING_GUARDS';

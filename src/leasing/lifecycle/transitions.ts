import { UtcTime } from '../../common/time';
import { LeaseEntity } from '../data/lease.entity';
import { FULFILLABLE, LeaseStatus, LeaseStatusName } from '../data/statuses';
import type { LeaseEventType } from './event-recorder';

/** The three things that happen to a lease's node: it is given (fulfil) or taken back (cancel, expire). */
export type TransitionKind = 'fulfil' | 'cancel' | 'expire';

/** What one transition attempt did, for the manager's counters and logs. */
export type TransitionOutcome = 'done' | 'skipped' | 'retry' | 'failed';

/** A lease about to change, as it was before anything was written (its events carry this state). */
export interface PlannedTransition {
  readonly kind: TransitionKind;
  readonly lease: LeaseEntity;
}

export interface TransitionSpec {
  /** Give the node to the lease, or take it back. */
  readonly intent: 'give' | 'take';
  /** `start` for every attempt, then `end` after a driver call that succeeded, `error` after one that failed. */
  readonly events: { readonly start: LeaseEventType; readonly end: LeaseEventType; readonly error: LeaseEventType };
  /** Statuses the final compare-and-set accepts: anything else means the lease moved on meanwhile. */
  readonly from: readonly LeaseStatusName[];
  /** The status after a driver call that succeeded, and which time it stamps. */
  readonly done: LeaseStatusName;
  readonly stamp: 'fulfillTime' | 'expireTime';
  /** The status a failed attempt waits in for its retry (`error` once the attempts are used up). */
  readonly waitStatus: LeaseStatusName;
}

const FULFILMENT_EVENTS = {
  start: 'esi_leap.lease.fulfill.start',
  end: 'esi_leap.lease.fulfill.end',
  error: 'esi_leap.lease.fulfill.error',
} as const;

const DELETION_EVENTS = {
  start: 'esi_leap.lease.delete.start',
  end: 'esi_leap.lease.delete.end',
  error: 'esi_leap.lease.delete.error',
} as const;

/**
 * Fulfilment leaves the lease's status alone until the node is given; cancel and expiry first
 * move it to its `wait …` status (with everything inside it, in one transaction), so nothing can
 * be booked inside it any more, and finish once the node is back.
 */
export const TRANSITIONS: Readonly<Record<TransitionKind, TransitionSpec>> = {
  fulfil: {
    intent: 'give',
    events: FULFILMENT_EVENTS,
    from: FULFILLABLE,
    done: LeaseStatus.ACTIVE,
    stamp: 'fulfillTime',
    waitStatus: LeaseStatus.WAIT_FULFILL,
  },
  cancel: {
    intent: 'take',
    events: DELETION_EVENTS,
    from: [LeaseStatus.WAIT_CANCEL],
    done: LeaseStatus.DELETED,
    stamp: 'expireTime',
    waitStatus: LeaseStatus.WAIT_CANCEL,
  },
  expire: {
    intent: 'take',
    events: DELETION_EVENTS,
    from: [LeaseStatus.WAIT_EXPIRE],
    done: LeaseStatus.EXPIRED,
    stamp: 'expireTime',
    waitStatus: LeaseStatus.WAIT_EXPIRE,
  },
};

/** The kind of end a lease already in a `wait …` status is on its way to. */
export function endKindOf(status: LeaseStatusName): 'cancel' | 'expire' | null {
  if (status === LeaseStatus.WAIT_CANCEL) return 'cancel';
  if (status === LeaseStatus.WAIT_EXPIRE) return 'expire';
  return null;
}

export function isDueForFulfilment(lease: LeaseEntity, now: UtcTime): boolean {
  return FULFILLABLE.includes(lease.status) && lease.startTime <= now && lease.endTime >= now;
}

/** The lease statuses, as stored and shown; note the spaces in the `wait …` ones. */
export const LeaseStatus = {
  CREATED: 'created',
  ACTIVE: 'active',
  ERROR: 'error',
  DELETED: 'deleted',
  EXPIRED: 'expired',
  WAIT_CANCEL: 'wait cancel',
  WAIT_EXPIRE: 'wait expire',
  WAIT_FULFILL: 'wait fulfill',
} as const;
export type LeaseStatusName = (typeof LeaseStatus)[keyof typeof LeaseStatus];

export const OfferStatus = {
  AVAILABLE: 'available',
  DELETED: 'deleted',
  EXPIRED: 'expired',
  ERROR: 'error',
} as const;
export type OfferStatusName = (typeof OfferStatus)[keyof typeof OfferStatus];

export const OFFER_CAN_DELETE: readonly OfferStatusName[] = [OfferStatus.AVAILABLE, OfferStatus.ERROR];
export const LEASE_CAN_DELETE: readonly LeaseStatusName[] = [
  LeaseStatus.ACTIVE,
  LeaseStatus.CREATED,
  LeaseStatus.ERROR,
  LeaseStatus.WAIT_FULFILL,
];
export const LEASE_DEFAULT_LIST: readonly LeaseStatusName[] = [
  LeaseStatus.CREATED,
  LeaseStatus.ACTIVE,
  LeaseStatus.ERROR,
  LeaseStatus.WAIT_CANCEL,
  LeaseStatus.WAIT_EXPIRE,
  LeaseStatus.WAIT_FULFILL,
];
export const OFFER_DEFAULT_LIST: readonly OfferStatusName[] = [OfferStatus.AVAILABLE, OfferStatus.ERROR];

/**
 * One "occupying" set for every conflict check and for availabilities, so a stuck lease still
 * blocks an overlapping booking (docs/decisions.md, "Leasing rules").
 */
export const LEASE_OCCUPYING: readonly LeaseStatusName[] = LEASE_DEFAULT_LIST;
/** Offers that reserve their window on a resource. */
export const OFFER_OCCUPYING: readonly OfferStatusName[] = [OfferStatus.AVAILABLE];

/** A lease the manager may still give a node to. */
export const FULFILLABLE: readonly LeaseStatusName[] = [LeaseStatus.CREATED, LeaseStatus.WAIT_FULFILL];
/** A lease whose end (at `end_time`, or with its parent or offer) the manager carries out. */
export const EXPIRABLE: readonly LeaseStatusName[] = [
  LeaseStatus.ACTIVE,
  LeaseStatus.CREATED,
  LeaseStatus.WAIT_EXPIRE,
  LeaseStatus.WAIT_FULFILL,
  LeaseStatus.ERROR,
];
/** A lease a DELETE (or a cascade) may cancel. */
export const CANCELLABLE: readonly LeaseStatusName[] = [...LEASE_CAN_DELETE, LeaseStatus.WAIT_CANCEL];
/** A lease whose node is being taken back: its driver call is pending or being retried. */
export const ENDING: readonly LeaseStatusName[] = [LeaseStatus.WAIT_CANCEL, LeaseStatus.WAIT_EXPIRE];

/**
 * Node health states (table `node_health`) under which nothing may be leased from the node:
 * recorded unhealthy, or gone from its backend (docs/node-health.md).
 */
export const NODE_UNLEASABLE = ['unhealthy', 'gone'] as const;

/** Status vocabulary (service.md A.5); note the spaces in the `wait …` states. */
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

export const OfferStatus = {
  AVAILABLE: 'available',
  DELETED: 'deleted',
  EXPIRED: 'expired',
  ERROR: 'error',
} as const;

export const OFFER_CAN_DELETE: readonly string[] = [OfferStatus.AVAILABLE, OfferStatus.ERROR];
export const LEASE_CAN_DELETE: readonly string[] = [
  LeaseStatus.ACTIVE,
  LeaseStatus.CREATED,
  LeaseStatus.ERROR,
  LeaseStatus.WAIT_FULFILL,
];
export const LEASE_DEFAULT_LIST: readonly string[] = [
  LeaseStatus.CREATED,
  LeaseStatus.ACTIVE,
  LeaseStatus.ERROR,
  LeaseStatus.WAIT_CANCEL,
  LeaseStatus.WAIT_EXPIRE,
  LeaseStatus.WAIT_FULFILL,
];
export const OFFER_DEFAULT_LIST: readonly string[] = [OfferStatus.AVAILABLE, OfferStatus.ERROR];

/**
 * decisions.md 6–7: one "occupying" set for every conflict check and for availabilities, so
 * a stuck lease still blocks an overlapping booking.
 */
export const LEASE_OCCUPYING: readonly string[] = LEASE_DEFAULT_LIST;
/** Offers that reserve their window on a resource. */
export const OFFER_OCCUPYING: readonly string[] = [OfferStatus.AVAILABLE];

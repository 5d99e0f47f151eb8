import { UtcTime } from '../common/time';
import { ResourceRef } from '../db/transaction-runner';
import { NodeHealthReading } from '../drivers/resource-driver';

/**
 * What was learnt about a node: its health, or that it no longer exists. `current`: the node as
 * it is now (read through its driver just now, or a deletion, which is final); `payload`: taken
 * from a notification because the backend could not be asked, so it may be older than what is
 * recorded, and is dropped if so.
 */
export type NodeObservation = {
  readonly ref: ResourceRef;
  readonly observedAt: UtcTime;
  readonly source: 'current' | 'payload';
} & ({ readonly kind: 'present'; readonly reading: NodeHealthReading } | { readonly kind: 'gone' });

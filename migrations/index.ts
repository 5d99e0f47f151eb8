import { UpstreamSchema1795564800000 } from './1795564800000-upstream-schema';
import { LookupIndexesAndResourceLocks1795568400000 } from './1795568400000-lookup-indexes-and-resource-locks';
import { WidenEventColumns1795572000000 } from './1795572000000-widen-event-columns';
import { LeaseRetries1795575600000 } from './1795575600000-lease-retries';
import { NotificationOutbox1795579200000 } from './1795579200000-notification-outbox';
import { LeaseMailLog1795582800000 } from './1795582800000-lease-mail-log';
import { OfferBusyIntervalIndex1795586400000 } from './1795586400000-offer-busy-interval-index';
import { LeaseWorkClaims1795590000000 } from './1795590000000-lease-work-claims';
import { NodeHealth1795593600000 } from './1795593600000-node-health';
import { OutboxDelivered1795597200000 } from './1795597200000-outbox-delivered';
import { LeaseReminders1795611600000 } from './1795611600000-lease-reminders';
import { Webhooks1795615200000 } from './1795615200000-webhooks';
import { LeaseGroups1795618800000 } from './1795618800000-lease-groups';
import { LeaseEndTimeIndex1795622400000 } from './1795622400000-lease-end-time-index';

/**
 * The migration history, oldest first. Listed explicitly rather than found by a file glob so
 * that the build, the tests and the TypeORM CLI all see the same set. `esi-leap-dbsync revision`
 * appends new migrations here.
 */
export const MIGRATIONS = [
  UpstreamSchema1795564800000,
  LookupIndexesAndResourceLocks1795568400000,
  WidenEventColumns1795572000000,
  LeaseRetries1795575600000,
  NotificationOutbox1795579200000,
  LeaseMailLog1795582800000,
  OfferBusyIntervalIndex1795586400000,
  LeaseWorkClaims1795590000000,
  NodeHealth1795593600000,
  OutboxDelivered1795597200000,
  LeaseReminders1795611600000,
  Webhooks1795615200000,
  LeaseGroups1795618800000,
  LeaseEndTimeIndex1795622400000,
];

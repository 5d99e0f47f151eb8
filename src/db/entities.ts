import { ConsoleAuthTokenEntity } from '../console/entities/console-auth-token.entity';
import { EventEntity } from '../events/entities/event.entity';
import { LeaseRetryEntity } from '../leasing/entities/lease-retry.entity';
import { LeaseEntity } from '../leases/entities/lease.entity';
import { LeaseSnapshotEntity } from '../notifications/entities/lease-snapshot.entity';
import { NotificationCursorEntity } from '../notifications/entities/notification-cursor.entity';
import { OfferEntity } from '../offers/entities/offer.entity';

/** Every table mapped by TypeORM; the schema itself comes from migrations/. */
export const ENTITIES = [
  OfferEntity,
  LeaseEntity,
  EventEntity,
  ConsoleAuthTokenEntity,
  LeaseRetryEntity,
  NotificationCursorEntity,
  LeaseSnapshotEntity,
];

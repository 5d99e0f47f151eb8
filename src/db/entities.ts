import { ConsoleAuthTokenEntity } from '../console/tokens/console-auth-token.entity';
import { EventEntity } from '../leasing/data/event.entity';
import { LeaseRetryEntity } from '../leasing/data/lease-retry.entity';
import { LeaseEntity } from '../leasing/data/lease.entity';
import { LeaseSnapshotEntity } from '../leasing/data/lease-snapshot.entity';
import { NotificationCursorEntity } from '../notifications/entities/notification-cursor.entity';
import { OfferEntity } from '../leasing/data/offer.entity';

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

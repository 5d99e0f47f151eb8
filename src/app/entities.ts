import { ConsoleAuthTokenEntity } from '../console/tokens/console-auth-token.entity';
import { EventEntity } from '../leasing/data/event.entity';
import { LeaseEntity } from '../leasing/data/lease.entity';
import { LeaseGroupEntity, LeaseGroupMemberEntity } from '../leasing/data/lease-group.entity';
import { LeaseSnapshotEntity } from '../leasing/data/lease-snapshot.entity';
import { LeaseWorkEntity } from '../leasing/data/lease-work.entity';
import { OfferEntity } from '../leasing/data/offer.entity';
import { LeaseDegradationEntity } from '../leasing/health/lease-degradation.entity';
import { NodeHealthEntity } from '../leasing/health/node-health.entity';
import { NotificationCursorEntity } from '../notifications/entities/notification-cursor.entity';
import { LeaseReminderEntity } from '../notifications/reminders/lease-reminder.entity';
import { WebhookDeliveryEntity } from '../webhooks/webhook-delivery.entity';
import { WebhookEntity } from '../webhooks/webhook.entity';

/**
 * Every table mapped by TypeORM, for DataSources built outside the Nest application (tests,
 * benchmarks); in the application each module registers its own (`TypeOrmModule.forFeature`).
 * The schema itself comes from migrations/.
 */
export const ENTITIES = [
  OfferEntity,
  LeaseEntity,
  EventEntity,
  ConsoleAuthTokenEntity,
  LeaseWorkEntity,
  NotificationCursorEntity,
  LeaseSnapshotEntity,
  NodeHealthEntity,
  LeaseDegradationEntity,
  LeaseReminderEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
  LeaseGroupEntity,
  LeaseGroupMemberEntity,
];

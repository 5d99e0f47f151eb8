import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NotificationCursorEntity } from '../notifications/entities/notification-cursor.entity';
import { RemindersModule } from '../notifications/reminders/reminders.module';
import { WebhookCursorRepository } from './webhook-cursor.repository';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookDeliveryScheduler } from './webhook-delivery.scheduler';
import { WebhookFanout } from './webhook-fanout';
import { WebhookHttp } from './webhook-http';
import { WebhooksCoreModule } from './webhooks-core.module';

/** The manager role's part of webhooks: events into deliveries, and the deliveries made. */
@Module({
  imports: [WebhooksCoreModule, TypeOrmModule.forFeature([NotificationCursorEntity]), RemindersModule],
  providers: [WebhookCursorRepository, WebhookFanout, WebhookHttp, WebhookDeliverer, WebhookDeliveryScheduler],
  exports: [WebhookDeliveryScheduler],
})
export class WebhookDeliveryModule {}

import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { RemindersModule } from '../notifications/reminders/reminders.module';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookDeliveryScheduler } from './webhook-delivery.scheduler';
import { WebhookFanout } from './webhook-fanout';
import { WebhookHttp } from './webhook-http';
import { WebhooksCoreModule } from './webhooks-core.module';

/** The manager role's part of webhooks: events into deliveries, and the deliveries made. */
@Module({
  imports: [WebhooksCoreModule, OutboxModule, RemindersModule],
  providers: [WebhookFanout, WebhookHttp, WebhookDeliverer, WebhookDeliveryScheduler],
  exports: [WebhookDeliveryScheduler],
})
export class WebhookDeliveryModule {}

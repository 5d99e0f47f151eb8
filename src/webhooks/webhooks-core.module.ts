import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WEBHOOK_SETTINGS, webhookSettings } from './webhook-settings';
import { systemResolver, WEBHOOK_RESOLVER, WebhookTargets } from './webhook-targets';
import { WebhookEntity } from './webhook.entity';
import { WebhooksRepository } from './webhooks.repository';

const SHARED = [
  { provide: WEBHOOK_SETTINGS, inject: [ESI_LEAP_CONFIG], useFactory: webhookSettings },
  { provide: WEBHOOK_RESOLVER, useValue: systemResolver },
  WebhookTargets,
  WebhooksRepository,
  WebhookDeliveriesRepository,
];

/** What the API and the manager parts of webhooks share: settings, tables, the address guard. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEntity, WebhookDeliveryEntity])],
  providers: SHARED,
  exports: SHARED,
})
export class WebhooksCoreModule {}

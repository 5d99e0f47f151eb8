import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clock } from '../common/clock';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { LeasingDataModule } from '../leasing/data/leasing-data.module';
import { OutboxModule } from '../outbox/outbox.module';
import { NotificationCursorEntity } from './entities/notification-cursor.entity';
import { NotificationRelay } from './notification-relay';
import { NotificationRelayScheduler } from './notification-relay.scheduler';
import { NOTIFIER_SETTINGS, OSLO_NOTIFIER } from './notifications.tokens';
import { notifierSettings, NotifierSettings } from './notifier-settings';
import { OsloNotificationClient } from './oslo-notification.client';

/** The manager/all roles: the oslo.messaging publisher and the relay that feeds it from the events outbox. */
@Module({
  imports: [LeasingDataModule, OutboxModule, TypeOrmModule.forFeature([NotificationCursorEntity])],
  providers: [
    {
      provide: NOTIFIER_SETTINGS,
      inject: [ESI_LEAP_CONFIG],
      useFactory: (config: EsiLeapConfig) => notifierSettings(config),
    },
    {
      provide: OSLO_NOTIFIER,
      inject: [NOTIFIER_SETTINGS, ESI_LEAP_CONFIG, Clock],
      useFactory: (settings: NotifierSettings, config: EsiLeapConfig, clock: Clock) =>
        new OsloNotificationClient(settings, clock, config.notification.publish_timeout * 1000),
    },
    NotificationRelay,
    NotificationRelayScheduler,
  ],
  exports: [OSLO_NOTIFIER, NotificationRelay],
})
export class NotificationRelayModule {}

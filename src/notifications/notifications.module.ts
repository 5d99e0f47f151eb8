import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { LeasingModule } from '../leasing/leasing.module';
import { NotificationRelay } from './notification-relay';
import { NotificationRelayScheduler } from './notification-relay.scheduler';
import { NotificationSnapshotsModule } from './notification-snapshots.module';
import { NOTIFIER_SETTINGS, OSLO_NOTIFIER } from './notifications.tokens';
import { NotifierSettings } from './notifier-settings';
import { OsloNotificationClient } from './oslo-notification.client';

/** The manager/all roles: the oslo.messaging publisher and the relay that feeds it from the outbox. */
@Module({
  imports: [LeasingModule, NotificationSnapshotsModule],
  providers: [
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

import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { LeasingModule } from '../leasing/leasing.module';
import { LeaseSnapshotSubscriber } from './lease-snapshot.subscriber';
import { NotificationOutboxRepository } from './notification-outbox.repository';
import { NotificationRelay } from './notification-relay';
import { NotificationRelayScheduler } from './notification-relay.scheduler';
import { NOTIFIER_SETTINGS, OSLO_NOTIFIER } from './notifications.tokens';
import { NotifierSettings, notifierSettings } from './notifier-settings';
import { OsloNotificationClient } from './oslo-notification.client';

const shared = [
  { provide: NOTIFIER_SETTINGS, inject: [ESI_LEAP_CONFIG], useFactory: (config: EsiLeapConfig) => notifierSettings(config) },
  NotificationOutboxRepository,
];

/**
 * Every process that writes events (api, manager, all) keeps lease snapshots beside them
 * while notifications are on, so whichever process relays can build the payload.
 */
@Module({ providers: shared, exports: shared })
export class NotificationSnapshotsModule implements OnModuleInit {
  constructor(
    @Inject(NOTIFIER_SETTINGS) private readonly settings: NotifierSettings,
    private readonly dataSource: DataSource,
    private readonly outbox: NotificationOutboxRepository,
  ) {}

  onModuleInit(): void {
    const registered = this.dataSource.subscribers.some((s) => s instanceof LeaseSnapshotSubscriber);
    if (this.settings.enabled && !registered) this.dataSource.subscribers.push(new LeaseSnapshotSubscriber(this.outbox));
  }
}

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

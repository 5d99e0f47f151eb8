import { Module } from '@nestjs/common';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { NotificationOutboxRepository } from './notification-outbox.repository';
import { NOTIFIER_SETTINGS } from './notifications.tokens';
import { notifierSettings } from './notifier-settings';

const shared = [
  { provide: NOTIFIER_SETTINGS, inject: [ESI_LEAP_CONFIG], useFactory: (config: EsiLeapConfig) => notifierSettings(config) },
  NotificationOutboxRepository,
];

/**
 * What every process that writes lease events needs to keep, beside each event and while
 * notifications are on, the lease as it was (EventRecorder), so that whichever process relays
 * can build the payload.
 */
@Module({ providers: shared, exports: shared })
export class NotificationSnapshotsModule {}

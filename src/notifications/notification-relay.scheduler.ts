import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PeriodicTask } from '../common/periodic-task';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { NotificationRelay } from './notification-relay';
import { NOTIFIER_SETTINGS, OSLO_NOTIFIER } from './notifications.tokens';
import { NotifierSettings } from './notifier-settings';
import { OsloNotificationClient } from './oslo-notification.client';

/** After a failed pass the delay doubles per consecutive failure, up to this. */
const LONGEST_BACKOFF_MS = 60_000;
/** With notifications off, how often the cursor is moved past new events. */
const SKIP_INTERVAL_MS = 60_000;

/**
 * The relay's background loop in the manager/all roles: a pass every `[notification]
 * relay_interval`, backing off while the broker is unreachable and carrying on for as long as
 * it takes. With notifications off it only keeps the cursor at the newest event.
 */
@Injectable()
export class NotificationRelayScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('esi-leap.notifications');
  private readonly task: PeriodicTask;

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    @Inject(NOTIFIER_SETTINGS) private readonly settings: NotifierSettings,
    @Inject(OSLO_NOTIFIER) private readonly client: OsloNotificationClient,
    private readonly relay: NotificationRelay,
  ) {
    this.task = new PeriodicTask({
      name: 'notification relay',
      describeRun: () => this.relay.currentStep,
      run: async () => {
        if (this.settings.enabled) await this.relay.relayPending();
        else await this.relay.skipPending();
      },
      nextDelayMs: ({ consecutiveFailures }) => this.nextDelayMs(consecutiveFailures),
      onError: (err) => this.logger.warn(`notification relay pass failed: ${String(err)}`),
    });
  }

  onApplicationBootstrap(): void {
    if (this.settings.enabled) {
      const brokers = this.settings.brokers.map((b) => b.redacted).join(', ');
      this.logger.log(`publishing notifications to exchange ${this.settings.exchange} on ${brokers}`);
      void this.client.connect();
    }
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop((message) => this.logger.warn(message));
  }

  private nextDelayMs(failures: number): number {
    if (!this.settings.enabled) return SKIP_INTERVAL_MS;
    const interval = this.config.notification.relay_interval * 1000;
    return failures === 0 ? interval : Math.min(interval * 2 ** failures, LONGEST_BACKOFF_MS);
  }
}

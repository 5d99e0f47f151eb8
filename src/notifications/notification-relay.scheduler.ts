import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
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
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;
  private stopped = false;

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    @Inject(NOTIFIER_SETTINGS) private readonly settings: NotifierSettings,
    @Inject(OSLO_NOTIFIER) private readonly client: OsloNotificationClient,
    private readonly relay: NotificationRelay,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.enabled) {
      const brokers = this.settings.brokers.map((b) => b.redacted).join(', ');
      this.logger.log(`publishing notifications to exchange ${this.settings.exchange} on ${brokers}`);
      void this.client.connect();
    }
    this.arm(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      if (this.settings.enabled) await this.relay.relayPending();
      else await this.relay.skipPending();
      this.failures = 0;
    } catch (err) {
      this.failures++;
      this.logger.warn(`notification relay pass failed (${this.failures} in a row): ${String(err)}`);
    }
    this.running = null;
    this.arm(this.nextDelayMs());
  }

  private nextDelayMs(): number {
    if (!this.settings.enabled) return SKIP_INTERVAL_MS;
    const interval = this.config.notification.relay_interval * 1000;
    return this.failures === 0 ? interval : Math.min(interval * 2 ** this.failures, LONGEST_BACKOFF_MS);
  }
}

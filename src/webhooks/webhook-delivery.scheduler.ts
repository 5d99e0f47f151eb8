import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../common/clock';
import { PeriodicTask } from '../common/periodic-task';
import { addSeconds, toEpochMicros, UtcTime } from '../common/time';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookFanout } from './webhook-fanout';
import { WEBHOOK_SETTINGS, WebhookSettings } from './webhook-settings';

/** With webhooks off, how often the cursor is moved past new events. */
const SKIP_INTERVAL_MS = 60_000;
/** After failed passes the delay doubles per consecutive failure, up to this. */
const LONGEST_BACKOFF_MS = 60_000;
/** How often finished deliveries past their retention are deleted. */
const CLEANUP_INTERVAL_SECONDS = 3600;

/**
 * The webhooks' background loop in the manager role: every `[webhooks] poll_interval`, new
 * events become deliveries (WebhookFanout) and the due attempts are made (WebhookDeliverer).
 * With webhooks off, only the cursor is kept at the newest event.
 */
@Injectable()
export class WebhookDeliveryScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('esi-leap.webhooks');
  private readonly task: PeriodicTask;
  private lastCleanup: UtcTime | null = null;

  constructor(
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    private readonly clock: Clock,
    private readonly fanout: WebhookFanout,
    private readonly deliverer: WebhookDeliverer,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {
    this.task = new PeriodicTask({
      name: 'webhook delivery',
      run: () => this.runOnce(),
      nextDelayMs: ({ consecutiveFailures }) => this.nextDelayMs(consecutiveFailures),
      onError: (err) => this.logger.warn(`webhook pass failed: ${String(err)}`),
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop((message) => this.logger.warn(message));
  }

  /** One pass: what the loop does each time, for tests to call. */
  async runOnce(): Promise<void> {
    if (!this.settings.enabled) {
      await this.fanout.skipPending();
      return;
    }
    await this.fanout.pass();
    await this.deliverer.deliverDue();
    await this.cleanUp();
  }

  private async cleanUp(): Promise<void> {
    const now = this.clock.now();
    if (
      this.lastCleanup !== null &&
      toEpochMicros(now) < toEpochMicros(addSeconds(this.lastCleanup, CLEANUP_INTERVAL_SECONDS))
    ) {
      return;
    }
    this.lastCleanup = now;
    await this.deliveries.deleteFinishedBefore(addSeconds(now, -this.settings.retentionSeconds));
  }

  private nextDelayMs(failures: number): number {
    if (!this.settings.enabled) return SKIP_INTERVAL_MS;
    const interval = this.settings.pollIntervalMs;
    return failures === 0 ? interval : Math.min(interval * 2 ** failures, LONGEST_BACKOFF_MS);
  }
}

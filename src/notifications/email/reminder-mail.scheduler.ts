import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PeriodicTask } from '../../common/periodic-task';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { configuredLeadTimes } from '../reminders/lead-times';
import { ReminderSignal } from '../reminders/reminder-signal';
import { LeaseMailJob } from './lease-mail.job';

/**
 * Mails reminders in the manager when `[email] enabled` and reminders are configured: at once
 * after this process wrote some, and every `[email] reminder_interval` for those another
 * manager wrote but did not mail (it stopped) and for failed sends. Stops before the mailer
 * closes its connection (before-shutdown, where the mailer closes on shutdown).
 */
@Injectable()
export class ReminderMailScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('esi-leap.email');
  private readonly task: PeriodicTask;
  private unsubscribe: (() => void) | null = null;

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly job: LeaseMailJob,
    private readonly signal: ReminderSignal,
  ) {
    this.task = new PeriodicTask({
      name: 'reminder mail',
      run: async () => {
        await this.job.mailReminders();
      },
      nextDelayMs: () => this.config.email.reminder_interval * 1000,
      onError: (err) => this.logger.error(`reminder mails failed: ${String(err)}`),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.email.enabled || configuredLeadTimes(this.config).length === 0) return;
    this.unsubscribe = this.signal.subscribe(() => this.task.wake());
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.task.stop((message) => this.logger.warn(message));
  }
}

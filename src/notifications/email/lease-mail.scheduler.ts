import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '../../common/periodic-task';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { LeaseMailJob } from './lease-mail.job';
import { SmtpMailer } from './smtp-mailer';

/** Runs the e-mail job every `[email] interval` seconds in the manager, when `[email] enabled`. */
@Injectable()
export class LeaseMailScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('esi-leap.email');
  private readonly task: PeriodicTask;

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly job: LeaseMailJob,
    private readonly mailer: SmtpMailer,
  ) {
    this.task = new PeriodicTask({
      name: 'lease mail',
      run: async () => {
        await this.job.runOnce();
      },
      nextDelayMs: () => this.config.email.interval * 1000,
      onError: (err) => this.logger.error(`e-mail job failed: ${String(err)}`),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.email.enabled) this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop((message) => this.logger.warn(message));
    this.mailer.close();
  }
}

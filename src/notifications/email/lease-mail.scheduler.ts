import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { LeaseMailJob } from './lease-mail.job';
import { SmtpMailer } from './smtp-mailer';

const INTERVAL = 'esi-leap-lease-mail';

/** Runs the e-mail job every `[email] interval` seconds in the manager, when `[email] enabled`. */
@Injectable()
export class LeaseMailScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('esi-leap.email');
  private running: Promise<unknown> | null = null;

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly job: LeaseMailJob,
    private readonly mailer: SmtpMailer,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.email.enabled) return;
    const run = () => {
      if (this.running) return;
      this.running = this.job
        .runOnce()
        .catch((err: unknown) => this.logger.error(`e-mail job failed: ${String(err)}`))
        .finally(() => (this.running = null));
    };
    this.registry.addInterval(INTERVAL, setInterval(run, this.config.email.interval * 1000));
    run();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', INTERVAL)) this.registry.deleteInterval(INTERVAL);
    await this.running;
    this.mailer.close();
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ManagerJobs } from './manager-jobs';

/** Expired console tokens cannot be redeemed anyway; removing them once a minute keeps the table small. */
const EVERY_MINUTE = 60_000;

@Injectable()
export class ConsoleTokenHousekeeping {
  private readonly logger = new Logger('esi-leap.manager');

  constructor(private readonly jobs: ManagerJobs) {}

  @Interval('console-token-cleanup', EVERY_MINUTE)
  async removeExpiredTokens(): Promise<void> {
    try {
      await this.jobs.cleanExpiredConsoleTokens();
    } catch (err) {
      this.logger.warn(`console token clean-up failed: ${String(err)}`);
    }
  }
}

import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { Clock } from '../common/clock';
import { PeriodicTask } from '../common/periodic-task';
import { toEpochMicros, UtcTime } from '../common/time';
import { LeaseScheduleNotifier } from '../leasing/booking/lease-schedule.notifier';
import { ManagerJobs } from './manager-jobs';

/** Never sleep less than this between runs, so a burst of wake-ups cannot make it spin. */
const MIN_DELAY_MS = 50;

/**
 * Drives the jobs (docs/decisions.md, "Manager"): a run now, then the next one at the next due
 * time, capped by `[manager] sweep_interval` as the safety net. A lease created or extended
 * through the API in the same process wakes it at once. Runs never overlap; shutdown waits for
 * the current one.
 */
@Injectable()
export class ManagerScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('esi-leap.manager');
  private readonly task: PeriodicTask;
  private unsubscribe: (() => void) | null = null;
  private lastRunStartedAt: UtcTime | null = null;

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly jobs: ManagerJobs,
    private readonly clock: Clock,
    private readonly notifier: LeaseScheduleNotifier,
  ) {
    this.task = new PeriodicTask({
      name: 'manager',
      run: () => {
        this.lastRunStartedAt = this.clock.now();
        return this.jobs.runAll();
      },
      nextDelayMs: () => this.delayToNextDue(this.lastRunStartedAt ?? this.clock.now()),
      onError: (err) => this.logger.error(`manager run failed: ${String(err)}`),
      minDelayMs: MIN_DELAY_MS,
    });
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = this.notifier.subscribe(() => this.task.wake());
    this.logger.log(
      `manager started: sweep every ${this.config.manager.sweep_interval}s plus timers to the next due time`,
    );
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.task.stop((message) => this.logger.warn(message));
  }

  /**
   * Until the first start, end or retry after `since` (the run's start; a lease that became
   * due while the run was under way gives a time already past, so the next run comes at once).
   */
  private async delayToNextDue(since: UtcTime): Promise<number> {
    const sweepMs = this.config.manager.sweep_interval * 1000;
    try {
      const next = await this.jobs.nextDueTime(since);
      if (next === null) return sweepMs;
      const untilDue = Number((toEpochMicros(next) - toEpochMicros(this.clock.now())) / 1000n);
      return Math.min(sweepMs, untilDue + 1);
    } catch (err) {
      this.logger.error(`could not compute the next due time: ${String(err)}`);
      return sweepMs;
    }
  }
}

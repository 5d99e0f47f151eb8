import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { Clock } from '../common/clock';
import { toEpochMicros, UtcTime } from '../common/time';
import { LeaseScheduleNotifier } from '../leasing/lifecycle/lease-schedule.notifier';
import { ManagerJobs } from './manager-jobs';

const TIMER = 'esi-leap-manager';
/** Never sleep less than this between runs, so a burst of wake-ups cannot make it spin. */
const MIN_DELAY_MS = 50;

/**
 * Drives the jobs (decisions.md 12): a run now, then a timer armed for the next due time,
 * capped by `[manager] sweep_interval` as the safety net. A lease created through the API in
 * the same process wakes it at once. Runs never overlap; shutdown waits for the current one.
 */
@Injectable()
export class ManagerScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('esi-leap.manager');
  private running: Promise<void> | null = null;
  private rerun = false;
  private stopped = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly jobs: ManagerJobs,
    private readonly clock: Clock,
    private readonly registry: SchedulerRegistry,
    private readonly notifier: LeaseScheduleNotifier,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.notifier.subscribe(() => this.wake());
    this.logger.log(`manager started: sweep every ${this.config.manager.sweep_interval}s plus timers to the next due time`);
    this.wake();
  }

  /** Run as soon as possible (now, or right after the run in progress). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.arm(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.clearTimer();
    await this.running;
  }

  private arm(delayMs: number): void {
    this.clearTimer();
    const timer = setTimeout(() => {
      this.registry.deleteTimeout(TIMER);
      void this.runOnce();
    }, delayMs);
    this.registry.addTimeout(TIMER, timer);
  }

  private clearTimer(): void {
    if (this.registry.doesExist('timeout', TIMER)) this.registry.deleteTimeout(TIMER);
  }

  private async runOnce(): Promise<void> {
    if (this.stopped || this.running) return;
    this.rerun = false;
    const startedAt = this.clock.now();
    this.running = this.jobs.runAll();
    await this.running;
    this.running = null;
    if (this.stopped) return;
    this.arm(this.rerun ? MIN_DELAY_MS : await this.delayToNextDue(startedAt));
  }

  /** Until the first start, end or retry after `since` (the run's start): 0 if already past. */
  private async delayToNextDue(since: UtcTime): Promise<number> {
    const sweepMs = this.config.manager.sweep_interval * 1000;
    try {
      const next = await this.jobs.nextDueTime(since);
      if (next === null) return sweepMs;
      const untilDue = Number((toEpochMicros(next) - toEpochMicros(this.clock.now())) / 1000n);
      return Math.max(MIN_DELAY_MS, Math.min(sweepMs, untilDue + 1));
    } catch (err) {
      this.logger.error(`could not compute the next due time: ${String(err)}`);
      return sweepMs;
    }
  }
}

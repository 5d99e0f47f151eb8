/** What a periodic task does and when it runs again. */
export interface PeriodicTaskOptions {
  /** What the task is, for the shutdown log ("relay", "manager", …). */
  readonly name: string;
  /** Where the current run is (for the shutdown log), when the task can tell. */
  readonly describeRun?: () => string | null;
  /** One run. A thrown error is passed to `onError` and counts as a failed run. */
  readonly run: () => Promise<void>;
  /** Milliseconds from the end of a run to the next one. */
  readonly nextDelayMs: (run: {
    readonly failed: boolean;
    readonly consecutiveFailures: number;
  }) => number | Promise<number>;
  readonly onError: (err: unknown) => void;
  /** Shortest pause between two runs, so a burst of wake-ups cannot make it spin. */
  readonly minDelayMs?: number;
}

const SLOW_STOP_LOG_MS = 5_000;

/**
 * The one background-loop building block of the manager, the notification relay and the
 * e-mail job: runs never overlap, the next one is armed when the last ends (so a slow run
 * delays the next instead of piling up), `wake()` asks for a run as soon as possible (right
 * after the current one if one is under way), and `stop()` cancels the timer and waits for
 * the run in progress, so shutdown drains it. Timers do not keep the process alive.
 *
 * Not `@Cron`/`@Interval` of @nestjs/schedule: their period is fixed when the class is
 * declared, while ours come from the configuration, change with the work (the manager sleeps
 * until the next due lease, the relay backs off), and API writes wake them early.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private wakeRequested = false;
  private stopped = false;
  private consecutiveFailures = 0;

  constructor(private readonly options: PeriodicTaskOptions) {}

  /** The first run, now. */
  start(): void {
    this.arm(0);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) this.wakeRequested = true;
    else this.arm(0);
  }

  /**
   * Cancels the timer and waits for the run in progress. A run that outlasts a few seconds is
   * logged every few seconds with the task's name, so a shutdown that hangs says which loop it
   * waits for.
   */
  async stop(logSlowStop: (message: string) => void = () => undefined): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    if (!this.running) return;
    const since = Date.now();
    const reminder = setInterval(() => {
      const seconds = Math.round((Date.now() - since) / 1000);
      const where = this.options.describeRun?.();
      logSlowStop(
        `shutdown: ${this.options.name} is still finishing its current run (${seconds} s)${where ? `: ${where}` : ''}`,
      );
    }, SLOW_STOP_LOG_MS);
    reminder.unref();
    try {
      await this.running;
    } finally {
      clearInterval(reminder);
    }
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce();
    }, delayMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async runOnce(): Promise<void> {
    this.wakeRequested = false;
    let failed = false;
    try {
      await this.options.run();
      this.consecutiveFailures = 0;
    } catch (err) {
      failed = true;
      this.consecutiveFailures++;
      this.options.onError(err);
    }
    let delay: number;
    try {
      delay = this.wakeRequested
        ? 0
        : await this.options.nextDelayMs({ failed, consecutiveFailures: this.consecutiveFailures });
    } catch (err) {
      this.options.onError(err);
      delay = 0;
    }
    this.running = null;
    this.arm(Math.max(this.options.minDelayMs ?? 0, delay));
  }
}

import { Injectable } from '@nestjs/common';
import { UtcTime } from '../common/time';

export type ManagerCounter = 'due' | 'fulfilled' | 'expired' | 'cancelled' | 'offers_expired' | 'failed' | 'retries' | 'job_errors';

/** Counters the manager keeps for operators (and the metrics endpoint). */
@Injectable()
export class ManagerMetrics {
  private readonly counters = new Map<ManagerCounter, number>();
  lastRunStartedAt: UtcTime | null = null;
  lastRunFinishedAt: UtcTime | null = null;

  increment(counter: ManagerCounter, by = 1): void {
    this.counters.set(counter, (this.counters.get(counter) ?? 0) + by);
  }

  snapshot(): Record<ManagerCounter, number> {
    const names: ManagerCounter[] = ['due', 'fulfilled', 'expired', 'cancelled', 'offers_expired', 'failed', 'retries', 'job_errors'];
    return Object.fromEntries(names.map((n) => [n, this.counters.get(n) ?? 0])) as Record<ManagerCounter, number>;
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { Clock } from '../common/clock';
import { LeaseStatus, OFFER_CAN_DELETE } from '../common/statuses';
import { toEpochSeconds, UtcTime } from '../common/time';
import { ConsoleAuthTokensRepository } from '../console/console-auth-tokens.repository';
import { isMysqlDataSource } from '../db/dialect';
import { EXPIRABLE, FULFILLABLE, LeaseTransitions, TransitionOutcome } from '../leasing/lease-transitions';
import { LeasesRepository } from '../leases/leases.repository';
import { OffersRepository } from '../offers/offers.repository';
import { ManagerCounter, ManagerMetrics } from './manager-metrics';

/** How many leases one manager works on at once (SQLite writes one at a time anyway). */
const MYSQL_PARALLELISM = 8;

/**
 * The manager's periodic work (service.md B.3) as plain methods: the scheduler calls them,
 * and so do tests. Each job takes due rows in batches and transitions each one through
 * LeaseTransitions, which makes a lease taken by two managers at once change only once.
 */
@Injectable()
export class ManagerJobs {
  private readonly logger = new Logger('esi-leap.manager');

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly leases: LeasesRepository,
    private readonly offers: OffersRepository,
    private readonly tokens: ConsoleAuthTokensRepository,
    private readonly transitions: LeaseTransitions,
    private readonly metrics: ManagerMetrics,
  ) {}

  /** Every job once, in upstream's order; one failing job never stops the others (K-4). */
  async runAll(): Promise<void> {
    this.metrics.lastRunStartedAt = this.clock.now();
    await this.isolated('fulfill', () => this.fulfillDueLeases());
    await this.isolated('expire', () => this.expireEndedLeases());
    await this.isolated('cancel', () => this.retryCancels());
    await this.isolated('offers', () => this.expireEndedOffers());
    await this.isolated('console_tokens', () => this.cleanExpiredConsoleTokens());
    this.metrics.lastRunFinishedAt = this.clock.now();
  }

  /** `created`/`wait fulfill` leases with `start_time <= now <= end_time` become active. */
  fulfillDueLeases(): Promise<number> {
    return this.drain(
      (now, limit) => this.leases.dueForManager(FULFILLABLE, 'started', now, limit),
      (uuid) => this.transitions.fulfillLease(uuid),
      'fulfilled',
    );
  }

  /** Leases whose `end_time` has passed expire, `error` ones included (K-23). */
  expireEndedLeases(): Promise<number> {
    return this.drain(
      (now, limit) => this.leases.dueForManager(EXPIRABLE, 'ended', now, limit),
      (uuid) => this.transitions.expireLease(uuid),
      'expired',
    );
  }

  /** `wait cancel` leases are cancelled again once their back-off has passed. */
  retryCancels(): Promise<number> {
    return this.drain(
      (now, limit) => this.leases.dueForManager([LeaseStatus.WAIT_CANCEL], 'any', now, limit),
      async (uuid) => {
        const lease = await this.leases.findByUuid(uuid);
        return lease ? this.transitions.cancelLease(lease) : 'skipped';
      },
      'cancelled',
    );
  }

  /** `available`/`error` offers whose `end_time` has passed expire, with their leases. */
  expireEndedOffers(): Promise<number> {
    return this.drain(
      (now, limit) => this.offers.endedBy(OFFER_CAN_DELETE, now, limit),
      (uuid) => this.transitions.expireOffer(uuid),
      'offers_expired',
    );
  }

  async cleanExpiredConsoleTokens(): Promise<number> {
    return this.tokens.deleteExpired(toEpochSeconds(this.clock.now()));
  }

  /** When the next lease or offer becomes due, for the scheduler's timer. */
  async nextDueTime(): Promise<UtcTime | null> {
    const now = this.clock.now();
    const [lease, offer] = await Promise.all([
      this.leases.nextDueTime(FULFILLABLE, EXPIRABLE, now),
      this.offers.nextEndTime(OFFER_CAN_DELETE, now),
    ]);
    if (lease === null) return offer;
    if (offer === null) return lease;
    return lease < offer ? lease : offer;
  }

  /**
   * Takes due rows batch by batch and transitions each; stops when a batch brings nothing new,
   * so rows another manager holds (skipped) or that keep failing cannot make it spin.
   */
  private async drain(
    select: (now: UtcTime, limit: number) => Promise<string[]>,
    transition: (uuid: string) => Promise<TransitionOutcome>,
    doneCounter: ManagerCounter,
  ): Promise<number> {
    const batchSize = this.config.manager.batch_size;
    const seen = new Set<string>();
    let done = 0;
    for (;;) {
      const batch = (await select(this.clock.now(), batchSize)).filter((uuid) => !seen.has(uuid));
      if (batch.length === 0) return done;
      batch.forEach((uuid) => seen.add(uuid));
      this.metrics.increment('due', batch.length);
      const outcomes = await this.inParallel(batch, async (uuid) => {
        try {
          return await transition(uuid);
        } catch (err) {
          this.logger.error(`${doneCounter}: lease/offer ${uuid} failed: ${String(err)}`);
          this.metrics.increment('job_errors');
          return 'skipped' as const;
        }
      });
      for (const outcome of outcomes) {
        if (outcome === 'done') done += 1;
        if (outcome === 'retry') this.metrics.increment('retries');
        if (outcome === 'failed') this.metrics.increment('failed');
      }
      this.metrics.increment(doneCounter, outcomes.filter((o) => o === 'done').length);
    }
  }

  private async inParallel<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
    const width = isMysqlDataSource(this.dataSource) ? MYSQL_PARALLELISM : 1;
    const results: R[] = new Array(items.length);
    let next = 0;
    const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]);
      }
    });
    await Promise.all(lanes);
    return results;
  }

  private async isolated(job: string, run: () => Promise<number>): Promise<void> {
    try {
      const count = await run();
      if (count > 0) this.logger.log(JSON.stringify({ event: 'manager.job', job, transitions: count }));
    } catch (err) {
      this.metrics.increment('job_errors');
      this.logger.error(`manager job ${job} failed: ${String(err)}`, (err as Error)?.stack);
    }
  }
}

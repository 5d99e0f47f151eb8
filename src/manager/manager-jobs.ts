import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { Clock } from '../common/clock';
import { toEpochSeconds, UtcTime } from '../common/time';
import { ConsoleAuthTokensRepository } from '../console/tokens/console-auth-tokens.repository';
import { isMysqlDataSource } from '../db/dialect';
import { inParallel } from '../common/in-parallel';
import { LeasesRepository } from '../leasing/data/leases.repository';
import { OffersRepository } from '../leasing/data/offers.repository';
import { ENDING, EXPIRABLE, FULFILLABLE, OFFER_CAN_DELETE } from '../leasing/data/statuses';
import { LeaseLifecycle } from '../leasing/lifecycle/lease-lifecycle';
import { TransitionOutcome } from '../leasing/lifecycle/transitions';
import { LeaseReminders } from '../notifications/reminders/lease-reminders';
import { ManagerCounter, ManagerMetrics } from './manager-metrics';

/** Leases (or offers) per transition: one deciding and one recording transaction for all of them. */
const CHUNK = 100;
/** Chunks at once on MySQL (SQLite writes one at a time anyway): each already drives several nodes at a time. */
const MYSQL_CHUNK_PARALLELISM = 4;

/** Applies a transition to a chunk of rows; one outcome per uuid, in order. */
type ChunkTransition = (uuids: string[]) => Promise<TransitionOutcome[]>;

/**
 * The manager's periodic work as plain methods: the scheduler calls them, and so do tests.
 * Each job takes due rows in batches and hands them, a chunk at a time, to LeaseLifecycle,
 * which makes a lease taken by two managers at once change only once.
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
    private readonly lifecycle: LeaseLifecycle,
    private readonly metrics: ManagerMetrics,
    private readonly reminders: LeaseReminders,
  ) {}

  /** Every job once, in upstream's order; one failing job never stops the others. */
  async runAll(): Promise<void> {
    this.metrics.lastRunStartedAt = this.clock.now();
    await this.isolated('fulfill', () => this.fulfillDueLeases());
    await this.isolated('expire', () => this.expireEndedLeases());
    await this.isolated('finish_ends', () => this.finishEnds());
    await this.isolated('offers', () => this.expireEndedOffers());
    // Last, so a lease fulfilled in this run is reminded of an end already within a lead time.
    await this.isolated('reminders', () => this.reminders.writeDue());
    this.metrics.lastRunFinishedAt = this.clock.now();
  }

  /** `created`/`wait fulfill` leases with `start_time <= now <= end_time` become active. */
  fulfillDueLeases(): Promise<number> {
    return this.drain(
      (now, limit) => this.leases.dueForManager(FULFILLABLE, 'started', now, limit),
      this.inChunks('fulfilled', (uuids) => this.lifecycle.fulfil(uuids)),
      'fulfilled',
    );
  }

  /** Leases whose `end_time` has passed expire, `error` ones included (they still hold their node). */
  expireEndedLeases(): Promise<number> {
    return this.drain(
      (now, limit) => this.leases.dueForManager(EXPIRABLE, 'ended', now, limit),
      this.inChunks('expired', (uuids) => this.lifecycle.expireLeases(uuids)),
      'expired',
    );
  }

  /**
   * Leases in `wait cancel`/`wait expire` get their node taken back: after a failed driver
   * call once the back-off has passed, and after a process died between deciding an end and
   * carrying it out once its claim has lapsed.
   */
  finishEnds(): Promise<number> {
    return this.drain(
      (now, limit) => this.leases.dueForManager(ENDING, 'any', now, limit),
      this.inChunks('cancelled', (uuids) => this.lifecycle.finishEnds(uuids)),
      'cancelled',
    );
  }

  /** `available`/`error` offers whose `end_time` has passed expire, with their leases. */
  expireEndedOffers(): Promise<number> {
    return this.drain(
      (now, limit) => this.offers.endedBy(OFFER_CAN_DELETE, now, limit),
      this.inChunks('offers_expired', (uuids) => this.lifecycle.expireOffers(uuids)),
      'offers_expired',
    );
  }

  /** Housekeeping, not lease work: on its own fixed interval (ConsoleTokenHousekeeping). */
  async cleanExpiredConsoleTokens(): Promise<number> {
    return this.tokens.deleteExpired(toEpochSeconds(this.clock.now()));
  }

  /**
   * When the next lease, offer or reminder becomes due after `since`, for the scheduler's timer. The
   * scheduler passes the time its last run started: a lease that became due while that run
   * was under way (after its jobs had selected their rows) then gives a time already past, and
   * the next run comes at once instead of at the next sweep.
   */
  async nextDueTime(since: UtcTime = this.clock.now()): Promise<UtcTime | null> {
    const times = await Promise.all([
      this.leases.nextDueTime(FULFILLABLE, EXPIRABLE, since),
      this.offers.nextEndTime(OFFER_CAN_DELETE, since),
      this.reminders.nextDueTime(since),
    ]);
    return times.reduce<UtcTime | null>((first, t) => (t !== null && (first === null || t < first) ? t : first), null);
  }

  /**
   * Takes due rows batch by batch and transitions them chunk by chunk; stops when a batch
   * brings nothing new, so rows another manager holds (skipped) or that keep failing cannot
   * make it spin.
   */
  private async drain(
    select: (now: UtcTime, limit: number) => Promise<string[]>,
    chunks: { size: number; mysqlLanes: number; apply: ChunkTransition },
    doneCounter: ManagerCounter,
  ): Promise<number> {
    const batchSize = this.config.manager.batch_size;
    const lanes = isMysqlDataSource(this.dataSource) ? chunks.mysqlLanes : 1;
    const seen = new Set<string>();
    let done = 0;
    for (;;) {
      const batch = (await select(this.clock.now(), batchSize)).filter((uuid) => !seen.has(uuid));
      if (batch.length === 0) return done;
      batch.forEach((uuid) => seen.add(uuid));
      this.metrics.increment('due', batch.length);
      const perChunk = await inParallel(chunksOf(batch, chunks.size), lanes, async (chunk) => {
        try {
          return await chunks.apply(chunk);
        } catch (err) {
          this.logger.error(
            `${doneCounter}: ${chunk.length === 1 ? 'lease/offer' : 'leases/offers'} ${chunk.join(', ')} failed: ${String(err)}`,
          );
          this.metrics.increment('job_errors', chunk.length);
          return chunk.map(() => 'skipped' as const);
        }
      });
      const outcomes = perChunk.flat();
      for (const outcome of outcomes) {
        if (outcome === 'done') done += 1;
        if (outcome === 'retry') this.metrics.increment('retries');
        if (outcome === 'failed') this.metrics.increment('failed');
      }
      this.metrics.increment(doneCounter, outcomes.filter((o) => o === 'done').length);
    }
  }

  /**
   * Chunks of rows, each through one `run`; if a chunk fails as a whole (a database error, not
   * a driver one), its rows are tried one by one so that one bad row cannot hold back the rest.
   */
  private inChunks(
    counter: ManagerCounter,
    run: (uuids: string[]) => Promise<Map<string, TransitionOutcome>>,
  ): { size: number; mysqlLanes: number; apply: ChunkTransition } {
    const outcomeOf = async (uuids: string[]) => {
      const outcomes = await run(uuids);
      return uuids.map((uuid) => outcomes.get(uuid) ?? 'skipped');
    };
    const apply = async (uuids: string[]): Promise<TransitionOutcome[]> => {
      try {
        return await outcomeOf(uuids);
      } catch (err) {
        if (uuids.length === 1) throw err;
        this.logger.warn(`${counter}: ${uuids.length} leases together failed (${String(err)}); trying them one by one`);
        const outcomes: TransitionOutcome[] = [];
        for (const uuid of uuids) {
          try {
            outcomes.push(...(await outcomeOf([uuid])));
          } catch (single) {
            this.logger.error(`${counter}: lease ${uuid} failed: ${String(single)}`);
            this.metrics.increment('job_errors');
            outcomes.push('skipped');
          }
        }
        return outcomes;
      }
    };
    return { size: CHUNK, mysqlLanes: MYSQL_CHUNK_PARALLELISM, apply };
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

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { ResourceBusy } from '../common/errors/esi-leap.exceptions';
import { isMysqlDataSource } from './dialect';
import { ResourceLockQueue } from './resource-lock-queue';
import { sqliteWriterQueue, startImmediateTransaction } from './sqlite-write-transaction';

/** ER_LOCK_DEADLOCK, also what Galera reports for a certification failure or a brute-force abort. */
const ER_LOCK_DEADLOCK = 1213;
/** ER_LOCK_WAIT_TIMEOUT: the resource stayed locked for the whole `lock_wait_timeout`. */
const ER_LOCK_WAIT_TIMEOUT = 1205;
export const MAX_ATTEMPTS = 8;
const FIRST_BACKOFF_MS = 10;
const LONGEST_BACKOFF_MS = 500;
/** `[database] lock_wait_timeout`'s default. */
const DEFAULT_LOCK_WAIT_MS = 10_000;

function mysqlErrno(err: unknown): unknown {
  const candidate = err as { errno?: unknown; driverError?: { errno?: unknown } } | null;
  return candidate?.driverError?.errno ?? candidate?.errno;
}

/** True for MySQL/MariaDB errors after which the whole transaction may simply be run again. */
export function isRetryableMysqlError(err: unknown): boolean {
  return mysqlErrno(err) === ER_LOCK_DEADLOCK;
}

function isSqliteBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** Full jitter, so transactions that collided once do not collide again in step. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(LONGEST_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
}

export interface ResourceRef {
  readonly resourceType: string;
  readonly resourceUuid: string;
}

interface OpenTransaction {
  dataSource: DataSource;
  manager: EntityManager;
  open: boolean;
}

/** The transaction the current async call chain runs in, whichever TransactionRunner opened it. */
const currentTransaction = new AsyncLocalStorage<OpenTransaction>();

function resourceKey(resource: ResourceRef): string {
  return JSON.stringify([resource.resourceType, resource.resourceUuid]);
}

/**
 * Runs check-then-write work as one database transaction that serialises on the resources it
 * touches, across processes and hosts (docs/architecture.md, "Concurrency design").
 *
 * - `runLocked(resources, work)` first queues in this process for the resources (a
 *   ResourceLockQueue: one waiter per resource holds a pooled connection, not all of them),
 *   then opens the transaction and writes the resources' `resource_locks` rows, so a second
 *   transaction on the same resource waits for the first to commit, on any host (and, being a
 *   real write, conflicts under Galera too).
 * - Waits are bounded by `[database] lock_wait_timeout`: in the queue, for the row lock
 *   (`innodb_lock_wait_timeout`, set on every connection), and for SQLite's write lock. A wait
 *   that runs out answers 503 (ResourceBusy) instead of holding the request.
 * - MySQL/MariaDB: READ COMMITTED; deadlocks and Galera certification failures re-run the
 *   whole `work`, a bounded number of times.
 * - SQLite: every write transaction holds the database write lock from its start (`BEGIN
 *   IMMEDIATE`), so writers are serialised anyway. Within a process they also queue on a
 *   mutex, since TypeORM shares SQLite's single connection.
 *
 * `work` may run more than once (MySQL retries): keep side effects that cannot be repeated
 * after the statements that can fail, or make them idempotent. A `run` inside another `run`
 * joins the outer transaction.
 */
export class TransactionRunner {
  private readonly logger = new Logger('esi-leap.db');
  private readonly queue = new ResourceLockQueue();
  private readonly lockWaitMs: number;

  constructor(
    private readonly dataSource: DataSource,
    options: { readonly lockWaitMs?: number } = {},
  ) {
    this.lockWaitMs = options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
  }

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const outer = currentTransaction.getStore();
    if (outer?.open && outer.dataSource === this.dataSource) return work(outer.manager);
    return isMysqlDataSource(this.dataSource) ? this.runWithRetries(work) : this.runOnSqlite(work);
  }

  /** `run`, serialised against every other transaction on any of `resources`, in every process. */
  async runLocked<T>(resources: readonly ResourceRef[], work: (em: EntityManager) => Promise<T>): Promise<T> {
    const outer = currentTransaction.getStore();
    if (outer?.open && outer.dataSource === this.dataSource) {
      await this.lockResources(outer.manager, resources);
      return work(outer.manager);
    }
    const release = await this.queue.acquire(resources.map(resourceKey), this.lockWaitMs, (key) => busy(key));
    try {
      return await this.run(async (em) => {
        await this.lockResources(em, resources);
        return work(em);
      });
    } finally {
      release();
    }
  }

  /** `lockResources` for one resource. */
  lockResource(em: EntityManager, resourceType: string, resourceUuid: string): Promise<void> {
    return this.lockResources(em, [{ resourceType, resourceUuid }]);
  }

  /**
   * Serialises the rest of the enclosing `run` against every other one on the same resources.
   * The rows are locked in sorted order, so two transactions locking overlapping sets cannot
   * wait for each other in a cycle.
   */
  async lockResources(em: EntityManager, resources: readonly ResourceRef[]): Promise<void> {
    if (!isMysqlDataSource(em.connection) || resources.length === 0) return;
    const keys = [...new Set(resources.map(resourceKey))].sort();
    // ON DUPLICATE KEY UPDATE takes the row's exclusive lock straight away. INSERT IGNORE
    // followed by UPDATE would first take a shared lock on an existing row, and two
    // transactions upgrading their shared locks deadlock each other.
    try {
      await em.query(
        `INSERT INTO resource_locks (resource_type, resource_uuid, locked_at) VALUES ${keys.map(() => '(?, ?, UTC_TIMESTAMP(6))').join(', ')} ` +
          'ON DUPLICATE KEY UPDATE locked_at = UTC_TIMESTAMP(6)',
        keys.flatMap((key) => JSON.parse(key) as [string, string]),
      );
    } catch (err) {
      if (mysqlErrno(err) === ER_LOCK_WAIT_TIMEOUT) throw busy(keys.length === 1 ? keys[0] : null);
      throw err;
    }
  }

  private async runWithRetries<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const queryRunner = this.dataSource.createQueryRunner();
      try {
        await queryRunner.startTransaction('READ COMMITTED');
        return await this.runAndCommit(queryRunner, work);
      } catch (err) {
        if (!isRetryableMysqlError(err) || attempt >= MAX_ATTEMPTS) throw err;
        this.logger.debug(`transaction attempt ${attempt} failed (${(err as Error).message}); retrying`);
      } finally {
        await queryRunner.release();
      }
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }

  private runOnSqlite<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return sqliteWriterQueue(this.dataSource).runExclusive(async () => {
      const queryRunner = this.dataSource.createQueryRunner();
      try {
        await startImmediateTransaction(queryRunner, this.lockWaitMs);
      } catch (err) {
        // Another process held the database's write lock for the whole wait.
        if (isSqliteBusy(err)) throw busy(null);
        throw err;
      }
      return this.runAndCommit(queryRunner, work);
    });
  }

  private async runAndCommit<T>(queryRunner: QueryRunner, work: (em: EntityManager) => Promise<T>): Promise<T> {
    const transaction: OpenTransaction = { dataSource: this.dataSource, manager: queryRunner.manager, open: true };
    try {
      const result = await currentTransaction.run(transaction, () => work(queryRunner.manager));
      await queryRunner.commitTransaction();
      return result;
    } catch (err) {
      if (queryRunner.isTransactionActive) {
        // The caller needs the original error; a failed rollback means a dead connection,
        // which the pool discards on release.
        await queryRunner.rollbackTransaction().catch(() => undefined);
      }
      throw err;
    } finally {
      transaction.open = false;
    }
  }
}

function busy(key: string | null): ResourceBusy {
  if (key === null) return new ResourceBusy({ resource: 'The resource' });
  const [type, uuid] = JSON.parse(key) as [string, string];
  return new ResourceBusy({ resource: `${type} ${uuid}` });
}

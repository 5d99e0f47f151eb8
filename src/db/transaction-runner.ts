import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { isMysqlDataSource } from './dialect';
import { sqliteWriterQueue, startImmediateTransaction } from './sqlite-write-transaction';

/** ER_LOCK_DEADLOCK (also what Galera reports for a certification failure) and ER_LOCK_WAIT_TIMEOUT. */
const RETRYABLE_MYSQL_ERRNOS = new Set([1213, 1205]);
export const MAX_ATTEMPTS = 8;
const FIRST_BACKOFF_MS = 10;
const LONGEST_BACKOFF_MS = 500;

/** True for MySQL/MariaDB errors after which the whole transaction may simply be run again. */
export function isRetryableMysqlError(err: unknown): boolean {
  const candidate = err as { errno?: unknown; driverError?: { errno?: unknown } } | null;
  const errno = candidate?.driverError?.errno ?? candidate?.errno;
  return typeof errno === 'number' && RETRYABLE_MYSQL_ERRNOS.has(errno);
}

/** Full jitter, so transactions that collided once do not collide again in step. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(LONGEST_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
}

interface OpenTransaction {
  dataSource: DataSource;
  manager: EntityManager;
  open: boolean;
}

/** The transaction the current async call chain runs in, whichever TransactionRunner opened it. */
const currentTransaction = new AsyncLocalStorage<OpenTransaction>();

/**
 * Runs check-then-write work as one database transaction that serialises on the resource it
 * touches, across processes and hosts (decisions.md 8, service.md K-1/K-3).
 *
 * - MySQL/MariaDB: READ COMMITTED; `lockResource` writes the resource's `resource_locks` row,
 *   so a second transaction on the same resource waits for the first to commit, on any host
 *   (and, being a real write, conflicts under Galera too). Deadlocks, lock-wait timeouts and
 *   Galera certification failures re-run the whole `work`, a bounded number of times.
 * - SQLite: every write transaction holds the database write lock from its start (`BEGIN
 *   IMMEDIATE`), so writers are serialised anyway and `lockResource` has nothing to add. Within
 *   a process they also queue on a mutex, since TypeORM shares SQLite's single connection.
 *
 * `work` may run more than once (MySQL retries): keep side effects that cannot be repeated
 * after the statements that can fail, or make them idempotent. A `run` inside another `run`
 * joins the outer transaction.
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger('esi-leap.db');

  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const outer = currentTransaction.getStore();
    if (outer?.open && outer.dataSource === this.dataSource) return work(outer.manager);
    return isMysqlDataSource(this.dataSource) ? this.runWithRetries(work) : this.runOnSqlite(work);
  }

  /** Serialises the rest of the enclosing `run` against every other one on the same resource. */
  lockResource(em: EntityManager, resourceType: string, resourceUuid: string): Promise<void> {
    return this.lockResources(em, [{ resourceType, resourceUuid }]);
  }

  /**
   * `lockResource` for several resources in one statement. The rows are locked in sorted
   * order, so two transactions locking overlapping sets cannot wait for each other in a cycle.
   */
  async lockResources(em: EntityManager, resources: readonly { resourceType: string; resourceUuid: string }[]): Promise<void> {
    if (!isMysqlDataSource(em.connection) || resources.length === 0) return;
    const keys = [...new Set(resources.map((r) => JSON.stringify([r.resourceType, r.resourceUuid])))].sort();
    // ON DUPLICATE KEY UPDATE takes the row's exclusive lock straight away. INSERT IGNORE
    // followed by UPDATE would first take a shared lock on an existing row, and two
    // transactions upgrading their shared locks deadlock each other.
    await em.query(
      `INSERT INTO resource_locks (resource_type, resource_uuid, locked_at) VALUES ${keys.map(() => '(?, ?, UTC_TIMESTAMP(6))').join(', ')} ` +
        'ON DUPLICATE KEY UPDATE locked_at = UTC_TIMESTAMP(6)',
      keys.flatMap((key) => JSON.parse(key) as [string, string]),
    );
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
      await startImmediateTransaction(queryRunner);
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

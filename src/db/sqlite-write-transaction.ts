import type { Database } from 'better-sqlite3';
import { DataSource, QueryRunner } from 'typeorm';
import { AbstractSqliteDriver } from 'typeorm/driver/sqlite-abstract/AbstractSqliteDriver';
import { AsyncMutex } from './async-mutex';

/** How long a write transaction waits for another process to finish its own. */
export const SQLITE_WRITE_LOCK_WAIT_MS = 30_000;

/** What AbstractSqliteQueryRunner.startTransaction sends for an outermost transaction. */
const TYPEORM_BEGIN = 'BEGIN TRANSACTION';
const LONGEST_PAUSE_MS = 50;

type QueryFn = (query: string, parameters?: unknown[], useStructuredResult?: boolean) => Promise<unknown>;

const writerQueues = new WeakMap<DataSource, AsyncMutex>();

/**
 * TypeORM gives all of a SQLite DataSource's query runners one shared connection, so two
 * transactions of one process would interleave on it. Every write transaction (TransactionRunner,
 * SchemaMigrator) therefore queues here first.
 */
export function sqliteWriterQueue(dataSource: DataSource): AsyncMutex {
  let queue = writerQueues.get(dataSource);
  if (!queue) {
    queue = new AsyncMutex();
    writerQueues.set(dataSource, queue);
  }
  return queue;
}

/**
 * Starts a SQLite transaction that holds the database's write lock from its first statement
 * (`BEGIN IMMEDIATE`), so check-then-write work in several processes sharing one file runs one
 * at a time. TypeORM only issues a deferred `BEGIN`, so its statement is swapped for ours while
 * TypeORM keeps its own transaction bookkeeping (savepoints, commit, rollback).
 *
 * better-sqlite3 is synchronous: with the connection's busy timeout, a blocked `BEGIN IMMEDIATE`
 * would freeze this process's event loop while it waits. Instead it is tried without waiting and
 * retried after a short pause, until `maxWaitMs` has passed.
 */
export async function startImmediateTransaction(
  queryRunner: QueryRunner,
  maxWaitMs = SQLITE_WRITE_LOCK_WAIT_MS,
): Promise<void> {
  if (queryRunner.isTransactionActive) {
    throw new Error('a transaction opened outside TransactionRunner is still active on this SQLite connection');
  }
  const database = (queryRunner.connection.driver as AbstractSqliteDriver).databaseConnection as Database;
  const typeormQuery = queryRunner.query;
  let begun = false;
  const swapBegin: QueryFn = async (query, parameters, useStructuredResult) => {
    if (query !== TYPEORM_BEGIN)
      return (typeormQuery as QueryFn).call(queryRunner, query, parameters, useStructuredResult);
    await beginImmediate(database, maxWaitMs);
    begun = true;
  };
  queryRunner.query = swapBegin as QueryRunner['query'];
  try {
    await queryRunner.startTransaction();
  } catch (err) {
    // TypeORM marks the transaction active before its BEGIN runs and never unmarks it on failure.
    (queryRunner as { isTransactionActive: boolean }).isTransactionActive = false;
    throw err;
  } finally {
    queryRunner.query = typeormQuery;
  }
  if (!begun) {
    await queryRunner.rollbackTransaction();
    throw new Error(`TypeORM no longer starts SQLite transactions with "${TYPEORM_BEGIN}": update ${__filename}`);
  }
}

async function beginImmediate(database: Database, maxWaitMs: number): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  const busyTimeout = database.pragma('busy_timeout', { simple: true }) as number;
  for (let pause = 1; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    database.pragma('busy_timeout = 0');
    try {
      database.exec('BEGIN IMMEDIATE');
      return;
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) throw err;
    } finally {
      database.pragma(`busy_timeout = ${busyTimeout}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random() / 2)));
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

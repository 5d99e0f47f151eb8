import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isMysqlDataSource } from './dialect';

export interface MysqlSessionSettings {
  /** Seconds a statement waits for a row lock (`innodb_lock_wait_timeout`, whole seconds). */
  readonly lockWaitSeconds: number;
  /** Galera causality checks (`[database] mysql_wsrep_sync_wait`), null when not configured. */
  readonly wsrepSyncWait: number | null;
}

type QueryCallback = (err: { code?: unknown } | null, ...results: unknown[]) => void;

/** The parts of mysql2's pool and pooled connection this module relies on. */
interface PoolConnection {
  query(...args: unknown[]): unknown;
  destroy(): void;
}
interface Pool {
  getConnection(callback: (err: Error | null, connection?: PoolConnection) => void): void;
}

const PREPARED = Symbol('esi-leap.preparedConnection');

/** The statement that puts a MySQL session in the state every esi-leap connection runs in. */
export function sessionStatement(settings: MysqlSessionSettings): string {
  const assignments = [`innodb_lock_wait_timeout = ${Math.max(1, Math.ceil(settings.lockWaitSeconds))}`];
  if (settings.wsrepSyncWait !== null) assignments.push(`wsrep_sync_wait = ${settings.wsrepSyncWait}`);
  return `SET SESSION ${assignments.join(', ')}`;
}

/**
 * Prepares every connection of an initialised MySQL DataSource the first time the pool hands
 * it out (the one TypeORM opened while initialising included):
 *
 * - the session settings run first (mysql2 runs a connection's commands in order, so they
 *   precede whatever the caller sends);
 * - a statement that fails with mysql2's query timeout (`[database] statement_timeout`: the
 *   server stopped answering) destroys its connection. Left in the pool, the next statement
 *   on it would queue behind the unanswered one, where mysql2's timer, which starts only when
 *   a statement is sent, cannot help it.
 */
export function prepareMysqlPool(dataSource: DataSource, settings: MysqlSessionSettings): void {
  if (!isMysqlDataSource(dataSource)) return;
  const pool = (dataSource.driver as unknown as { pool?: Pool }).pool;
  if (!pool) throw new Error('the MySQL driver exposes no connection pool to prepare');
  const statement = sessionStatement(settings);
  const logger = new Logger('esi-leap.db');
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (callback) =>
    getConnection((err, connection) => {
      if (connection && !(connection as unknown as Record<symbol, boolean>)[PREPARED]) {
        (connection as unknown as Record<symbol, boolean>)[PREPARED] = true;
        destroyOnStatementTimeout(connection);
        connection.query(statement, (failure: Error | null) => {
          if (failure) logger.warn(`could not apply the session settings to a connection: ${failure.message}`);
        });
      }
      callback(err, connection);
    });
}

function destroyOnStatementTimeout(connection: PoolConnection): void {
  const query = connection.query.bind(connection);
  connection.query = (...args: unknown[]) => {
    const at = args.findLastIndex((arg) => typeof arg === 'function');
    if (at >= 0) {
      const callback = args[at] as QueryCallback;
      args[at] = ((err, ...results) => {
        if (err?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') connection.destroy();
        callback(err, ...results);
      }) satisfies QueryCallback;
    }
    return query(...args);
  };
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** The notification relay's cursor row (migrations/…-notification-outbox.ts). */
const RELAY_CURSOR = 'rabbit';

export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

/** mysql2's pool internals: not public API, so every field is read defensively. */
interface Mysql2Pool {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

/** The few database questions the health check and the metrics ask. */
@Injectable()
export class OpsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * A read of one row of `offers`, failing after `timeoutMs` so a hung connection cannot hang
   * the probe. It touches a table, not just the connection: a Galera node that is not ready
   * answers a bare `SELECT 1` but refuses every statement on a table (errno 1047), and a
   * database without our schema cannot serve either.
   */
  async ping(timeoutMs: number): Promise<void> {
    if (!this.dataSource.isInitialized) throw new Error('not connected');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.dataSource.query('SELECT 1 FROM offers LIMIT 1'), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Events the notification relay has not published yet, or null when this database has no
   * relay cursor (an older schema, or the table is missing).
   */
  async outboxBacklog(): Promise<number | null> {
    try {
      const [cursor] = (await this.dataSource.query('SELECT last_event_id FROM notification_cursors WHERE name = ?', [
        RELAY_CURSOR,
      ])) as Array<{ last_event_id: number | string }>;
      if (!cursor) return null;
      const [row] = (await this.dataSource.query('SELECT COUNT(*) AS backlog FROM events WHERE id > ?', [
        Number(cursor.last_event_id),
      ])) as Array<{ backlog: number | string }>;
      return Number(row?.backlog ?? 0);
    } catch {
      return null;
    }
  }

  /** Connection pool occupancy on MySQL; SQLite has one connection and no pool. */
  poolStats(): PoolStats | null {
    const driver = this.dataSource.driver as { pool?: Mysql2Pool };
    const pool = driver.pool;
    if (!pool?._allConnections) return null;
    const total = pool._allConnections.length;
    const idle = pool._freeConnections?.length ?? 0;
    return { total, idle, waiting: pool._connectionQueue?.length ?? 0 };
  }
}

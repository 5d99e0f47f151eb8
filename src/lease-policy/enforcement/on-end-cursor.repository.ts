import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { UtcTime } from '../../common/time';
import { isMysqlDataSource } from '../../db/dialect';

/** This consumer's row in `notification_cursors`, the table every reader of the events outbox keeps its place in. */
export const ON_END_CURSOR = 'enforcement_on_end';

export interface OutboxEvent {
  readonly id: number;
  readonly eventType: string;
  readonly objectUuid: string | null;
}

/**
 * The on-end relay's place in the events outbox: its own cursor row (the notification relay's
 * is another), claimed by one manager at a time, and the events after it.
 */
@Injectable()
export class OnEndCursorRepository {
  /**
   * Creates the cursor at the newest event the first time the hook runs: an enforcement
   * service configured today hears about leases ending from now on, not about history.
   */
  async ensure(em: EntityManager): Promise<void> {
    const [{ newest }] = (await em.query('SELECT MAX(id) AS newest FROM events')) as {
      newest: number | string | null;
    }[];
    const insert = isMysqlDataSource(em.connection) ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await em.query(`${insert} INTO notification_cursors (name, last_event_id, identity) VALUES (?, ?, ?)`, [
      ON_END_CURSOR,
      Number(newest ?? 0),
      randomUUID(),
    ]);
  }

  /** Takes or renews the cursor until `until` unless another process holds it; its position when taken. */
  async claim(em: EntityManager, holder: string, now: UtcTime, until: UtcTime): Promise<number | null> {
    await em.query(
      'UPDATE notification_cursors SET holder = ?, held_until = ? WHERE name = ? ' +
        'AND (holder IS NULL OR holder = ? OR held_until < ?)',
      [holder, until, ON_END_CURSOR, holder, now],
    );
    const row = await this.read(em);
    return row?.holder === holder ? row.lastEventId : null;
  }

  /** Moves the cursor to `eventId` while `holder` still holds it; false when the claim was lost. */
  async advance(em: EntityManager, holder: string, eventId: number, now: UtcTime, until: UtcTime): Promise<boolean> {
    await em.query(
      'UPDATE notification_cursors SET last_event_id = ?, updated_at = ?, held_until = ? ' +
        'WHERE name = ? AND holder = ? AND last_event_id < ?',
      [eventId, now, until, ON_END_CURSOR, holder, eventId],
    );
    const row = await this.read(em);
    return row?.holder === holder && row.lastEventId === eventId;
  }

  async release(em: EntityManager, holder: string): Promise<void> {
    await em.query('UPDATE notification_cursors SET holder = NULL, held_until = NULL WHERE name = ? AND holder = ?', [
      ON_END_CURSOR,
      holder,
    ]);
  }

  /** Read back in the same transaction, which works alike on both databases (their UPDATE results do not). */
  private async read(em: EntityManager): Promise<{ holder: string | null; lastEventId: number } | null> {
    const [row] = (await em.query('SELECT holder, last_event_id FROM notification_cursors WHERE name = ?', [
      ON_END_CURSOR,
    ])) as { holder: string | null; last_event_id: number | string }[];
    return row ? { holder: row.holder, lastEventId: Number(row.last_event_id) } : null;
  }

  async eventsAfter(em: EntityManager, afterId: number, limit: number): Promise<OutboxEvent[]> {
    const rows = (await em.query('SELECT id, event_type, object_uuid FROM events WHERE id > ? ORDER BY id LIMIT ?', [
      afterId,
      limit,
    ])) as { id: number | string; event_type: string; object_uuid: string | null }[];
    return rows.map((r) => ({ id: Number(r.id), eventType: r.event_type, objectUuid: r.object_uuid }));
  }

  /**
   * Whether missing ids below ones already read may still commit (MySQL assigns auto-increment
   * ids at insert, so a later id can commit first): an open transaction holds the missing row's
   * lock, a rolled-back one left nothing. SQLite commits its serialised writers in id order.
   */
  async mayStillAppear(em: EntityManager, ids: readonly number[]): Promise<boolean> {
    if (ids.length === 0 || !isMysqlDataSource(em.connection)) return false;
    try {
      const rows = (await em.query(
        `SELECT id FROM events WHERE id IN (${ids.map(() => '?').join(', ')}) FOR UPDATE NOWAIT`,
        [...ids],
      )) as unknown[];
      return rows.length > 0;
    } catch {
      return true;
    }
  }
}

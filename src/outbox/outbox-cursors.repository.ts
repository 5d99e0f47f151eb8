import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UtcTime } from '../common/time';
import { isMysqlDataSource } from '../db/dialect';
import { EventEntity } from '../leasing/data/event.entity';

/** A consumer's place in the outbox: every event up to `lastEventId` is handled or was never there. */
export interface CursorPosition {
  readonly lastEventId: number;
  /** Random per cursor and database; seeds stable ids of what the consumer sends (message ids). */
  readonly identity: string;
}

/**
 * The cursors of the consumers of the events outbox (table `notification_cursors`, one row per
 * consumer) and the events each has handled above its cursor (`outbox_delivered`). A cursor is
 * advanced by one process at a time: the holder of its claim, which lapses at `held_until`.
 * Every write joins the caller's transaction.
 */
@Injectable()
export class OutboxCursorsRepository {
  /** Creates the cursor, at the newest event, unless it exists: a new consumer starts from now, not from history. */
  async ensure(em: EntityManager, name: string): Promise<void> {
    const [{ newest }] = (await em.query('SELECT MAX(id) AS newest FROM events')) as {
      newest: number | string | null;
    }[];
    const insert = isMysqlDataSource(em.connection) ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await em.query(`${insert} INTO notification_cursors (name, last_event_id, identity) VALUES (?, ?, ?)`, [
      name,
      Number(newest ?? 0),
      randomUUID(),
    ]);
  }

  /** Takes (or renews) the cursor until `until` unless another process holds an unexpired claim; its position when held. */
  async claim(
    em: EntityManager,
    name: string,
    holder: string,
    now: UtcTime,
    until: UtcTime,
  ): Promise<CursorPosition | null> {
    await em.query(
      'UPDATE notification_cursors SET holder = ?, held_until = ? WHERE name = ? AND (holder IS NULL OR holder = ? OR held_until < ?)',
      [holder, until, name, holder, now],
    );
    const row = await this.read(em, name);
    return row?.holder === holder ? { lastEventId: row.lastEventId, identity: row.identity } : null;
  }

  async release(em: EntityManager, name: string, holder: string): Promise<void> {
    await em.query('UPDATE notification_cursors SET holder = NULL, held_until = NULL WHERE name = ? AND holder = ?', [
      name,
      holder,
    ]);
  }

  /** Events after `afterId`, oldest first. */
  eventsAfter(em: EntityManager, afterId: number, limit: number): Promise<EventEntity[]> {
    return em
      .getRepository(EventEntity)
      .createQueryBuilder('e')
      .where('e.id > :afterId', { afterId })
      .orderBy('e.id')
      .limit(limit)
      .getMany();
  }

  /** The events in `(afterId, upTo]` the consumer has handled above its cursor. */
  async delivered(em: EntityManager, name: string, afterId: number, upTo: number): Promise<Set<number>> {
    const rows = (await em.query(
      'SELECT event_id FROM outbox_delivered WHERE cursor_name = ? AND event_id > ? AND event_id <= ?',
      [name, afterId, upTo],
    )) as { event_id: number | string }[];
    return new Set(rows.map((r) => Number(r.event_id)));
  }

  /**
   * Records that the consumer handled event `eventId`, while `holder` still holds the cursor
   * (renewing the claim until `until`); false when the claim was lost.
   */
  async markDelivered(
    em: EntityManager,
    name: string,
    holder: string,
    eventId: number,
    now: UtcTime,
    until: UtcTime,
  ): Promise<boolean> {
    if (!(await this.renew(em, name, holder, now, until))) return false;
    const insert = isMysqlDataSource(em.connection) ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    await em.query(`${insert} INTO outbox_delivered (cursor_name, event_id) VALUES (?, ?)`, [name, eventId]);
    return true;
  }

  /** Moves the cursor forward to `eventId` while `holder` holds it, forgetting what lies below; false when the claim was lost. */
  async advance(
    em: EntityManager,
    name: string,
    holder: string,
    eventId: number,
    now: UtcTime,
    until: UtcTime,
  ): Promise<boolean> {
    await em.query(
      'UPDATE notification_cursors SET last_event_id = ?, updated_at = ?, held_until = ? WHERE name = ? AND holder = ? AND last_event_id < ?',
      [eventId, now, until, name, holder, eventId],
    );
    const row = await this.read(em, name);
    if (row?.holder !== holder || row.lastEventId !== eventId) return false;
    await em.query('DELETE FROM outbox_delivered WHERE cursor_name = ? AND event_id <= ?', [name, eventId]);
    return true;
  }

  /** Puts the cursor at the newest event: with its consumer off, nothing is owed for that time. */
  async skipToNewest(em: EntityManager, name: string, now: UtcTime): Promise<number> {
    const [{ newest }] = (await em.query('SELECT MAX(id) AS newest FROM events')) as {
      newest: number | string | null;
    }[];
    const to = Number(newest ?? 0);
    await em.query(
      'UPDATE notification_cursors SET last_event_id = ?, updated_at = ? WHERE name = ? AND last_event_id < ?',
      [to, now, name, to],
    );
    await em.query('DELETE FROM outbox_delivered WHERE cursor_name = ? AND event_id <= ?', [name, to]);
    return to;
  }

  private async renew(em: EntityManager, name: string, holder: string, now: UtcTime, until: UtcTime): Promise<boolean> {
    return (await this.claim(em, name, holder, now, until)) !== null;
  }

  /** Read back in the same transaction, which works alike on both databases (their UPDATE results do not). */
  private async read(
    em: EntityManager,
    name: string,
  ): Promise<{ holder: string | null; lastEventId: number; identity: string } | null> {
    const [row] = (await em.query('SELECT holder, last_event_id, identity FROM notification_cursors WHERE name = ?', [
      name,
    ])) as { holder: string | null; last_event_id: number | string; identity: string }[];
    return row ? { holder: row.holder, lastEventId: Number(row.last_event_id), identity: row.identity } : null;
  }
}

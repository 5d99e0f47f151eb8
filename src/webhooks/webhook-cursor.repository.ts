import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager, MoreThan } from 'typeorm';
import { UtcTime } from '../common/time';
import { isMysqlDataSource } from '../db/dialect';
import { EventEntity } from '../leasing/data/event.entity';
import { NotificationCursorEntity } from '../notifications/entities/notification-cursor.entity';

export const WEBHOOK_CURSOR = 'webhooks';

/**
 * The webhooks' own cursor into the `events` outbox (a row of `notification_cursors`, beside
 * the RabbitMQ relay's): how far events have been turned into deliveries, and which manager
 * may move it on. A claim lapses, so another manager takes over after a crash.
 */
@Injectable()
export class WebhookCursorRepository {
  /** Takes (or renews) the right to advance the cursor until `until`; the cursor when taken. */
  async claim(
    em: EntityManager,
    holder: string,
    now: UtcTime,
    until: UtcTime,
  ): Promise<NotificationCursorEntity | null> {
    const result = await em
      .createQueryBuilder()
      .update(NotificationCursorEntity)
      .set({ holder, heldUntil: until })
      .where('name = :name', { name: WEBHOOK_CURSOR })
      .andWhere(
        new Brackets((w) =>
          w.where('holder IS NULL').orWhere('holder = :holder', { holder }).orWhere('held_until < :now', { now }),
        ),
      )
      .execute();
    if (!result.affected) return null;
    return em.getRepository(NotificationCursorEntity).findOneBy({ name: WEBHOOK_CURSOR });
  }

  async release(em: EntityManager, holder: string): Promise<void> {
    await em
      .getRepository(NotificationCursorEntity)
      .update({ name: WEBHOOK_CURSOR, holder }, { holder: null, heldUntil: null });
  }

  /** Moves the cursor to `eventId` if `holder` still holds it; false when the claim was lost. */
  async advance(em: EntityManager, holder: string, eventId: number, now: UtcTime, until: UtcTime): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(NotificationCursorEntity)
      .set({ lastEventId: eventId, updatedAt: now, heldUntil: until })
      .where('name = :name AND holder = :holder AND last_event_id < :eventId', {
        name: WEBHOOK_CURSOR,
        holder,
        eventId,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** With webhooks off, the cursor follows the newest event: turning them on later delivers nothing older. */
  async skipToNewest(em: EntityManager, now: UtcTime): Promise<void> {
    const row = (await em
      .getRepository(EventEntity)
      .createQueryBuilder('e')
      .select('MAX(e.id)', 'newest')
      .getRawOne()) as { newest: number | string | null } | undefined;
    const newest = Number(row?.newest ?? 0);
    await em
      .createQueryBuilder()
      .update(NotificationCursorEntity)
      .set({ lastEventId: newest, updatedAt: now })
      .where('name = :name AND last_event_id < :newest', { name: WEBHOOK_CURSOR, newest })
      .execute();
  }

  eventsAfter(em: EntityManager, afterId: number, limit: number): Promise<EventEntity[]> {
    return em.getRepository(EventEntity).find({ where: { id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit });
  }

  /**
   * Whether ids missing between events already read may still appear: on MySQL an id is taken
   * at insert, so a later one can commit first, and the row of a transaction still open is
   * locked. SQLite writers are serialised, so its ids commit in order.
   */
  async mayStillAppear(em: EntityManager, ids: readonly number[]): Promise<boolean> {
    if (ids.length === 0 || !isMysqlDataSource(em.connection)) return false;
    try {
      const rows = (await em.query(
        `SELECT id FROM events WHERE id IN (${ids.map(() => '?').join(',')}) FOR UPDATE NOWAIT`,
        [...ids],
      )) as unknown[];
      return rows.length > 0;
    } catch {
      return true;
    }
  }
}

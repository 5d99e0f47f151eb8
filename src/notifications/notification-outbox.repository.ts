import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager, MoreThan } from 'typeorm';
import { UtcTime } from '../common/time';
import { isMysqlDataSource } from '../db/dialect';
import { EventEntity } from '../leasing/data/event.entity';
import { LeaseSnapshotsRepository } from '../leasing/data/lease-snapshots.repository';
import { NotificationCursorEntity } from './entities/notification-cursor.entity';

/** Every query of the relay: the cursor row and the events after it. */
@Injectable()
export class NotificationOutboxRepository {
  constructor(private readonly snapshots: LeaseSnapshotsRepository) {}

  /**
   * Takes (or renews) the right to advance cursor `name` until `until`, unless another process
   * holds an unexpired claim. Returns the cursor when taken.
   */
  async claim(
    em: EntityManager,
    name: string,
    holder: string,
    now: UtcTime,
    until: UtcTime,
  ): Promise<NotificationCursorEntity | null> {
    const result = await em
      .createQueryBuilder()
      .update(NotificationCursorEntity)
      .set({ holder, heldUntil: until })
      .where('name = :name', { name })
      .andWhere(
        new Brackets((w) =>
          w.where('holder IS NULL').orWhere('holder = :holder', { holder }).orWhere('held_until < :now', { now }),
        ),
      )
      .execute();
    if (!result.affected) return null;
    return em.getRepository(NotificationCursorEntity).findOneBy({ name });
  }

  async release(em: EntityManager, name: string, holder: string): Promise<void> {
    await em.getRepository(NotificationCursorEntity).update({ name, holder }, { holder: null, heldUntil: null });
  }

  /**
   * Moves the cursor forward to `eventId` if `holder` still holds it (renewing the claim until
   * `until`), and drops the snapshots no longer needed. False when the claim was lost (another process took over).
   */
  async advance(
    em: EntityManager,
    name: string,
    holder: string,
    eventId: number,
    now: UtcTime,
    until: UtcTime,
  ): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(NotificationCursorEntity)
      .set({ lastEventId: eventId, updatedAt: now, heldUntil: until })
      .where('name = :name AND holder = :holder AND last_event_id < :eventId', { name, holder, eventId })
      .execute();
    if (!result.affected) return false;
    await this.snapshots.deleteUpTo(em, eventId);
    return true;
  }

  /** With notifications off, the cursor follows the newest event: nothing is sent for that time (service.md D.2). */
  async skipToNewest(em: EntityManager, name: string, now: UtcTime): Promise<void> {
    const newest = await this.newestEventId(em);
    await em
      .createQueryBuilder()
      .update(NotificationCursorEntity)
      .set({ lastEventId: newest, updatedAt: now })
      .where('name = :name AND last_event_id < :newest', { name, newest })
      .execute();
    await this.snapshots.deleteUpTo(em, newest);
  }

  /** Events after `afterId`, oldest first. */
  eventsAfter(em: EntityManager, afterId: number, limit: number): Promise<EventEntity[]> {
    return em.getRepository(EventEntity).find({ where: { id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit });
  }

  /**
   * Whether ids missing between events already read may still appear. MySQL only: InnoDB
   * assigns auto-increment ids at insert, so a later id can commit first; the missing row of an
   * open transaction is locked, a rolled-back one is simply gone. SQLite writers are serialised,
   * so its ids commit in order.
   */
  async mayStillAppear(em: EntityManager, ids: readonly number[]): Promise<boolean> {
    if (ids.length === 0 || !isMysqlDataSource(em.connection)) return false;
    try {
      const rows = (await em.query(
        `SELECT id FROM events WHERE id IN (${ids.map(() => '?').join(',')}) FOR UPDATE NOWAIT`,
        [...ids],
      )) as unknown[];
      // Rows found now were committed since the read: the caller reads again.
      return rows.length > 0;
    } catch {
      return true;
    }
  }

  private async newestEventId(em: EntityManager): Promise<number> {
    const row = (await em
      .getRepository(EventEntity)
      .createQueryBuilder('e')
      .select('MAX(e.id)', 'newest')
      .getRawOne()) as { newest: number | string | null } | undefined;
    return Number(row?.newest ?? 0);
  }
}

import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager, In, MoreThan } from 'typeorm';
import { UtcTime } from '../common/time';
import { isMysqlDataSource } from '../db/dialect';
import { EventEntity } from '../leasing/data/event.entity';
import { LeasePayloadFields } from './lease-crud-payload';
import { LeaseSnapshotEntity } from '../leasing/data/lease-snapshot.entity';
import { NotificationCursorEntity } from './entities/notification-cursor.entity';

/** Every query of the relay: the cursor row, the events after it, and the lease snapshots. */
@Injectable()
export class NotificationOutboxRepository {
  /**
   * Takes (or renews) the right to advance cursor `name` until `until`, unless another process
   * holds an unexpired claim. Returns the cursor when taken.
   */
  async claim(em: EntityManager, name: string, holder: string, now: UtcTime, until: UtcTime): Promise<NotificationCursorEntity | null> {
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
  async advance(em: EntityManager, name: string, holder: string, eventId: number, now: UtcTime, until: UtcTime): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(NotificationCursorEntity)
      .set({ lastEventId: eventId, updatedAt: now, heldUntil: until })
      .where('name = :name AND holder = :holder AND last_event_id < :eventId', { name, holder, eventId })
      .execute();
    if (!result.affected) return false;
    await em.createQueryBuilder().delete().from(LeaseSnapshotEntity).where('event_id <= :eventId', { eventId }).execute();
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
    await em.createQueryBuilder().delete().from(LeaseSnapshotEntity).where('event_id <= :newest', { newest }).execute();
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
      const rows = (await em.query(`SELECT id FROM events WHERE id IN (${ids.map(() => '?').join(',')}) FOR UPDATE NOWAIT`, [
        ...ids,
      ])) as unknown[];
      // Rows found now were committed since the read: the caller reads again.
      return rows.length > 0;
    } catch {
      return true;
    }
  }

  async snapshots(em: EntityManager, eventIds: readonly number[]): Promise<Map<number, LeasePayloadFields>> {
    if (eventIds.length === 0) return new Map();
    const rows = await em.getRepository(LeaseSnapshotEntity).findBy({ eventId: In([...eventIds]) });
    return new Map(rows.map((row) => [row.eventId, JSON.parse(row.lease) as LeasePayloadFields]));
  }

  async saveSnapshots(em: EntityManager, snapshots: readonly { eventId: number; lease: LeasePayloadFields }[]): Promise<void> {
    if (snapshots.length === 0) return;
    await em.query(
      `INSERT INTO notification_lease_snapshots (event_id, lease) VALUES ${snapshots.map(() => '(?, ?)').join(', ')}`,
      snapshots.flatMap((s) => [s.eventId, JSON.stringify(s.lease)]),
    );
  }

  private async newestEventId(em: EntityManager): Promise<number> {
    const row = (await em.getRepository(EventEntity).createQueryBuilder('e').select('MAX(e.id)', 'newest').getRawOne()) as
      | { newest: number | string | null }
      | undefined;
    return Number(row?.newest ?? 0);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { UtcTime } from '../../common/time';
import { EventEntity } from './event.entity';

export interface EventListFilter {
  readonly lastEventId?: number;
  readonly lastEventTime?: UtcTime;
  readonly lesseeOrOwnerId?: string;
  readonly eventType?: string;
  readonly resourceType?: string;
  readonly resourceUuid?: string;
  /** A paged list's start (its marker), applied with `lastEventId`: rows after both. */
  readonly afterId?: number;
  /** At most this many rows. */
  readonly limit?: number;
}

export type NewEvent = Omit<EventEntity, 'id' | 'updatedAt'>;

const COLUMNS: readonly (readonly [string, keyof NewEvent])[] = [
  ['event_type', 'eventType'],
  ['event_time', 'eventTime'],
  ['object_type', 'objectType'],
  ['object_uuid', 'objectUuid'],
  ['resource_type', 'resourceType'],
  ['resource_uuid', 'resourceUuid'],
  ['lessee_id', 'lesseeId'],
  ['owner_id', 'ownerId'],
  ['created_at', 'createdAt'],
];

/** The events table: written inside state-change transactions, read in id order. */
@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One multi-row INSERT; the rows get increasing ids in the order given. */
  async insertMany(em: EntityManager, events: readonly NewEvent[]): Promise<void> {
    await this.insertRows(em, events);
  }

  /**
   * As `insertMany`, and returns the new ids in the order given. They are read back rather
   * than computed from the first id, since a Galera cluster steps auto-increment ids by its
   * size. No other transaction writes events of these objects meanwhile: lease events are
   * written under the lease's resource lock and row lock (TransitionRecorder).
   */
  async insertManyReturningIds(em: EntityManager, events: readonly NewEvent[]): Promise<number[]> {
    if (events.length === 0) return [];
    const firstId = await this.insertRows(em, events);
    const objects = [...new Set(events.map((e) => e.objectUuid))];
    const rows = (await em.query(
      `SELECT id FROM events WHERE id >= ? AND object_uuid IN (${objects.map(() => '?').join(', ')}) ORDER BY id`,
      [firstId, ...objects],
    )) as { id: number | string }[];
    if (rows.length !== events.length) throw new Error(`read back ${rows.length} event ids for ${events.length} inserted events`);
    return rows.map((r) => Number(r.id));
  }

  /** Returns the first new id: MySQL reports it, SQLite the last one (its writers are serialised, so the ids are consecutive). */
  private async insertRows(em: EntityManager, events: readonly NewEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const tuple = `(${COLUMNS.map(() => '?').join(', ')})`;
    const result = (await em.query(
      `INSERT INTO events (${COLUMNS.map(([column]) => column).join(', ')}) VALUES ${events.map(() => tuple).join(', ')}`,
      events.flatMap((e) => COLUMNS.map(([, field]) => e[field])),
    )) as { insertId?: number } | number | bigint;
    if (typeof result === 'object' && result !== null) return Number(result.insertId);
    return Number(result) - events.length + 1;
  }

  list(filter: EventListFilter): Promise<EventEntity[]> {
    const q = this.dataSource.getRepository(EventEntity).createQueryBuilder('e');
    if (filter.eventType !== undefined) q.andWhere('e.event_type = :etype', { etype: filter.eventType });
    if (filter.resourceType !== undefined) q.andWhere('e.resource_type = :rtype', { rtype: filter.resourceType });
    if (filter.resourceUuid !== undefined) q.andWhere('e.resource_uuid = :ruuid', { ruuid: filter.resourceUuid });
    if (filter.lastEventTime !== undefined) q.andWhere('e.event_time > :etime', { etime: filter.lastEventTime });
    if (filter.lastEventId) q.andWhere('e.id > :eid', { eid: filter.lastEventId });
    if (filter.lesseeOrOwnerId !== undefined) {
      q.andWhere(
        new Brackets((w) =>
          w.where('e.lessee_id = :p', { p: filter.lesseeOrOwnerId }).orWhere('e.owner_id = :p'),
        ),
      );
    }
    if (filter.afterId !== undefined) q.andWhere('e.id > :afterId', { afterId: filter.afterId });
    q.orderBy('e.id');
    if (filter.limit !== undefined) q.limit(filter.limit);
    return q.getMany();
  }

  /** Whether event `id` exists, and concerns `lesseeOrOwnerId` when one is given. */
  async exists(id: number, lesseeOrOwnerId?: string): Promise<boolean> {
    const q = this.dataSource.getRepository(EventEntity).createQueryBuilder('e').where('e.id = :id', { id });
    if (lesseeOrOwnerId !== undefined) {
      q.andWhere(new Brackets((w) => w.where('e.lessee_id = :p', { p: lesseeOrOwnerId }).orWhere('e.owner_id = :p')));
    }
    return (await q.getCount()) > 0;
  }
}

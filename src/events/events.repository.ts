import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { UtcTime } from '../common/time';
import { EventEntity } from './entities/event.entity';

export interface EventListFilter {
  readonly lastEventId?: number;
  readonly lastEventTime?: UtcTime;
  readonly lesseeOrOwnerId?: string;
  readonly eventType?: string;
  readonly resourceType?: string;
  readonly resourceUuid?: string;
}

export type NewEvent = Omit<EventEntity, 'id' | 'updatedAt'>;

/** The events table: written inside state-change transactions, read in id order. */
@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(em: EntityManager, event: NewEvent): Promise<EventEntity> {
    const repo = em.getRepository(EventEntity);
    return repo.save(repo.create(event));
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
    return q.orderBy('e.id').getMany();
  }
}

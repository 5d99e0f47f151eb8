import { EntitySubscriberInterface, InsertEvent } from 'typeorm';
import { EventEntity } from '../events/entities/event.entity';
import { LeaseEntity } from '../leases/entities/lease.entity';
import { leasePayloadFields } from './lease-crud-payload';
import { NotificationOutboxRepository } from './notification-outbox.repository';

/**
 * Keeps, next to each lease event, the lease as it was when the event was written: in the same
 * transaction and before the transition's own UPDATE (LeaseTransitions records the event
 * first), so the relay can send the pre-transition status and timestamps the `*.end` payload
 * must carry (service.md D.4) however late it publishes.
 */
export class LeaseSnapshotSubscriber implements EntitySubscriberInterface<EventEntity> {
  constructor(private readonly outbox: NotificationOutboxRepository) {}

  listenTo(): typeof EventEntity {
    return EventEntity;
  }

  async afterInsert(event: InsertEvent<EventEntity>): Promise<void> {
    const row = event.entity;
    if (row?.objectType !== 'lease' || !row.objectUuid) return;
    const lease = await event.manager.getRepository(LeaseEntity).findOneBy({ uuid: row.objectUuid });
    if (lease) await this.outbox.saveSnapshot(event.manager, row.id, leasePayloadFields(lease));
  }
}

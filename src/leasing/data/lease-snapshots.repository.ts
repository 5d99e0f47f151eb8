import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { LeaseEntity } from './lease.entity';
import { LeaseSnapshotEntity } from './lease-snapshot.entity';

/** A lease as it was when one of its events was written, in the table's column names. */
export interface LeaseSnapshot {
  id: number;
  name: string | null;
  uuid: string;
  project_id: string;
  owner_id: string;
  purpose: string | null;
  resource_type: string;
  resource_uuid: string;
  start_time: string | null;
  end_time: string | null;
  fulfill_time: string | null;
  expire_time: string | null;
  status: string;
  properties: Record<string, unknown>;
  offer_uuid: string | null;
  parent_lease_uuid: string | null;
}

export function leaseSnapshot(lease: LeaseEntity): LeaseSnapshot {
  return {
    id: lease.id,
    name: lease.name,
    uuid: lease.uuid,
    project_id: lease.projectId,
    owner_id: lease.ownerId,
    purpose: lease.purpose,
    resource_type: lease.resourceType,
    resource_uuid: lease.resourceUuid,
    start_time: lease.startTime,
    end_time: lease.endTime,
    fulfill_time: lease.fulfillTime,
    expire_time: lease.expireTime,
    status: lease.status,
    properties: lease.properties ?? {},
    offer_uuid: lease.offerUuid,
    parent_lease_uuid: lease.parentLeaseUuid,
  };
}

/**
 * The lease beside each of its events while notifications are on (the outbox's second half):
 * a notification sent late must still carry the lease as it was before its transition.
 */
@Injectable()
export class LeaseSnapshotsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async save(em: EntityManager, snapshots: readonly { eventId: number; lease: LeaseSnapshot }[]): Promise<void> {
    if (snapshots.length === 0) return;
    await em.query(
      `INSERT INTO notification_lease_snapshots (event_id, lease) VALUES ${snapshots.map(() => '(?, ?)').join(', ')}`,
      snapshots.flatMap((s) => [s.eventId, JSON.stringify(s.lease)]),
    );
  }

  /** The snapshot of one event, outside any transaction (the relay reads it before publishing). */
  async findOne(eventId: number): Promise<LeaseSnapshot | undefined> {
    return (await this.find(this.dataSource.manager, [eventId])).get(eventId);
  }

  async find(em: EntityManager, eventIds: readonly number[]): Promise<Map<number, LeaseSnapshot>> {
    if (eventIds.length === 0) return new Map();
    const rows = await em.getRepository(LeaseSnapshotEntity).findBy({ eventId: In([...eventIds]) });
    return new Map(rows.map((row) => [row.eventId, JSON.parse(row.lease) as LeaseSnapshot]));
  }

  /** Snapshots of events up to `eventId` are no longer needed once those events were relayed. */
  async deleteUpTo(em: EntityManager, eventId: number): Promise<void> {
    await em.createQueryBuilder().delete().from(LeaseSnapshotEntity).where('event_id <= :eventId', { eventId }).execute();
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { ResourceRef } from '../../db/transaction-runner';
import { LeaseDegradationEntity } from './lease-degradation.entity';
import { NodeHealthEntity } from './node-health.entity';

/** Rows per IN list. */
const CHUNK = 500;

/**
 * The writes of node health (tables `node_health`, `lease_degradations`), always inside the
 * caller's transaction, which holds the node's resource lock.
 */
@Injectable()
export class NodeHealthRecords {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  find(em: EntityManager, ref: ResourceRef): Promise<NodeHealthEntity | null> {
    return em
      .getRepository(NodeHealthEntity)
      .findOneBy({ resourceType: ref.resourceType, resourceUuid: ref.resourceUuid });
  }

  /** The rows of these nodes of one type, by uuid (outside any transaction: a first look). */
  async rowsOf(resourceType: string, resourceUuids: readonly string[]): Promise<Map<string, NodeHealthEntity>> {
    const result = new Map<string, NodeHealthEntity>();
    const repository = this.dataSource.getRepository(NodeHealthEntity);
    for (let i = 0; i < resourceUuids.length; i += CHUNK) {
      const rows = await repository.findBy({ resourceType, resourceUuid: In(resourceUuids.slice(i, i + CHUNK)) });
      for (const row of rows) result.set(row.resourceUuid, row);
    }
    return result;
  }

  async save(em: EntityManager, row: NodeHealthEntity): Promise<void> {
    await em.getRepository(NodeHealthEntity).upsert(row, ['resourceType', 'resourceUuid']);
  }

  /**
   * Records healthy nodes seen for the first time, all at once and without their locks: a row
   * that exists by then (written under the lock) wins. What they record is the owner and
   * resource class to compare later observations with.
   */
  async insertIfAbsent(rows: readonly NodeHealthEntity[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.dataSource
        .createQueryBuilder()
        .insert()
        .into(NodeHealthEntity)
        .values(rows.slice(i, i + CHUNK))
        .orIgnore()
        .execute();
    }
  }

  async clearOwnerHandover(em: EntityManager, ref: ResourceRef, from: string): Promise<void> {
    await em
      .getRepository(NodeHealthEntity)
      .update(
        { resourceType: ref.resourceType, resourceUuid: ref.resourceUuid, ownerHandoverFrom: from },
        { ownerHandoverFrom: null },
      );
  }

  /** The nodes recorded unhealthy or with an owner hand-over pending: they stay watched until healthy. */
  async needingAttention(): Promise<ResourceRef[]> {
    const rows = await this.dataSource
      .getRepository(NodeHealthEntity)
      .createQueryBuilder('h')
      .select(['h.resourceType', 'h.resourceUuid'])
      .where("h.state = 'unhealthy' OR h.owner_handover_from IS NOT NULL")
      .getMany();
    return rows.map((r) => ({ resourceType: r.resourceType, resourceUuid: r.resourceUuid }));
  }

  degradationsOn(em: EntityManager, ref: ResourceRef): Promise<LeaseDegradationEntity[]> {
    return em
      .getRepository(LeaseDegradationEntity)
      .findBy({ resourceType: ref.resourceType, resourceUuid: ref.resourceUuid });
  }

  async flag(em: EntityManager, rows: readonly LeaseDegradationEntity[]): Promise<void> {
    if (rows.length > 0) await em.getRepository(LeaseDegradationEntity).upsert([...rows], ['leaseUuid']);
  }

  async unflag(em: EntityManager, leaseUuids: readonly string[]): Promise<void> {
    if (leaseUuids.length > 0)
      await em.getRepository(LeaseDegradationEntity).delete({ leaseUuid: In([...leaseUuids]) });
  }

  /** Forgets the flags of leases that are over (no event: an ended lease is not "recovered"). */
  async dropFlagsOfEndedLeases(liveStatuses: readonly string[]): Promise<void> {
    await this.dataSource.query(
      'DELETE FROM lease_degradations WHERE NOT EXISTS (SELECT 1 FROM leases l WHERE l.uuid = lease_degradations.lease_uuid ' +
        `AND l.status IN (${liveStatuses.map(() => '?').join(', ')}))`,
      [...liveStatuses],
    );
  }
}

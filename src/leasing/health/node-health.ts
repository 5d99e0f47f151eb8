import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { ResourceRef } from '../../db/transaction-runner';
import { LeaseStatus, LeaseStatusName, NODE_UNLEASABLE } from '../data/statuses';
import { LeaseDegradationEntity } from './lease-degradation.entity';
import { NodeHealthEntity } from './node-health.entity';

/** Rows per IN list: well below every database's limit on bound parameters. */
const CHUNK = 500;

/** Leases whose node matters to them, now or later: flagged while it is unhealthy, and shown so. */
export const FLAGGABLE: readonly LeaseStatusName[] = [
  LeaseStatus.CREATED,
  LeaseStatus.WAIT_FULFILL,
  LeaseStatus.ACTIVE,
];

/** The key `unhealthyAmong` answers by. */
export function nodeKey(ref: ResourceRef): string {
  return `${ref.resourceType}/${ref.resourceUuid}`;
}

/**
 * Node health as recorded (docs/node-health.md), for everything that decides or shows what may
 * be leased: the booking guard, availabilities, and whatever searches free nodes. Reads only;
 * pass the transaction's EntityManager to read inside it. A node never seen unhealthy is
 * healthy: health is recorded by the manager from Ironic's notifications and its reconcile.
 */
@Injectable()
export class NodeHealth {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Why the node may not be leased now, or null when it may. */
  async problemOf(ref: ResourceRef, em?: EntityManager): Promise<string | null> {
    return (await this.unhealthyAmong([ref], em)).get(nodeKey(ref)) ?? null;
  }

  async isHealthy(ref: ResourceRef, em?: EntityManager): Promise<boolean> {
    return (await this.problemOf(ref, em)) === null;
  }

  /**
   * The unhealthy or vanished nodes among `refs`, by `nodeKey`, with the reason for each.
   * Written out rather than built: offer lists ask this for every page, and TypeORM built a
   * page's IN list more slowly than the database answered it (docs/performance.md).
   */
  async unhealthyAmong(refs: readonly ResourceRef[], em?: EntityManager): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    const manager = em ?? this.dataSource.manager;
    const states = NODE_UNLEASABLE.map(() => '?').join(', ');
    for (const [resourceType, uuids] of byType(refs)) {
      for (let i = 0; i < uuids.length; i += CHUNK) {
        const chunk = uuids.slice(i, i + CHUNK);
        const rows = (await manager.query(
          'SELECT resource_type, resource_uuid, reason FROM node_health ' +
            `WHERE resource_type = ? AND resource_uuid IN (${chunk.map(() => '?').join(', ')}) AND state IN (${states})`,
          [resourceType, ...chunk, ...NODE_UNLEASABLE],
        )) as { resource_type: string; resource_uuid: string; reason: string | null }[];
        for (const row of rows) {
          result.set(
            nodeKey({ resourceType: row.resource_type, resourceUuid: row.resource_uuid }),
            row.reason ?? 'unhealthy',
          );
        }
      }
    }
    return result;
  }

  /**
   * Every node of the type recorded unhealthy or gone, by uuid, with the reason: for searches
   * over a whole fleet, where the unhealthy few are cheaper to read than an IN list of all.
   */
  async unhealthyOfType(resourceType: string): Promise<Map<string, string>> {
    const rows = await this.dataSource.manager.getRepository(NodeHealthEntity).find({
      select: { resourceUuid: true, reason: true },
      where: { resourceType, state: In([...NODE_UNLEASABLE]) },
    });
    return new Map(rows.map((row) => [row.resourceUuid, row.reason ?? 'unhealthy']));
  }

  /** The leases among `leaseUuids` flagged degraded, with the reason of each. */
  async degradationsOf(leaseUuids: readonly string[], em?: EntityManager): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    const repository = (em ?? this.dataSource.manager).getRepository(LeaseDegradationEntity);
    const unique = [...new Set(leaseUuids)];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const rows = await repository.find({
        select: { leaseUuid: true, reason: true },
        where: { leaseUuid: In(unique.slice(i, i + CHUNK)) },
      });
      for (const row of rows) result.set(row.leaseUuid, row.reason);
    }
    return result;
  }
}

function byType(refs: readonly ResourceRef[]): Map<string, string[]> {
  const grouped = new Map<string, Set<string>>();
  for (const ref of refs) {
    const uuids = grouped.get(ref.resourceType) ?? new Set<string>();
    uuids.add(ref.resourceUuid);
    grouped.set(ref.resourceType, uuids);
  }
  return new Map([...grouped].map(([type, uuids]) => [type, [...uuids]]));
}

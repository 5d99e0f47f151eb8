import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { UtcTime } from '../../common/time';
import { LeaseEntity } from './lease.entity';
import { LeaseGroupEntity, LeaseGroupMemberEntity, LeaseGroupStatusName } from './lease-group.entity';

export type NewLeaseGroup = Omit<LeaseGroupEntity, 'id' | 'updatedAt'>;

export interface LeaseGroupListFilter {
  /** Undefined: every project's groups. */
  readonly projectId?: string;
  /** Undefined: every status. */
  readonly status?: string;
  /** Only groups after this one (by id): a page's marker. */
  readonly afterId?: number;
  /** At most this many, in id order. */
  readonly limit?: number;
}

/** Every SQL question about lease groups and their members. */
@Injectable()
export class LeaseGroupsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The group row and one membership row per lease, in the caller's transaction (the booking's). */
  async insert(em: EntityManager, group: NewLeaseGroup, leaseUuids: readonly string[]): Promise<LeaseGroupEntity> {
    const repo = em.getRepository(LeaseGroupEntity);
    const saved = await repo.save(repo.create({ ...group, updatedAt: null }));
    if (leaseUuids.length > 0) {
      await em
        .createQueryBuilder()
        .insert()
        .into(LeaseGroupMemberEntity)
        .values(leaseUuids.map((leaseUuid) => ({ leaseUuid, groupUuid: group.uuid })))
        .execute();
    }
    return saved;
  }

  findByUuid(uuid: string, em?: EntityManager): Promise<LeaseGroupEntity | null> {
    return (em ?? this.dataSource.manager).getRepository(LeaseGroupEntity).findOneBy({ uuid });
  }

  list(filter: LeaseGroupListFilter): Promise<LeaseGroupEntity[]> {
    const q = this.dataSource.manager.getRepository(LeaseGroupEntity).createQueryBuilder('g');
    if (filter.projectId !== undefined) q.andWhere('g.project_id = :projectId', { projectId: filter.projectId });
    if (filter.status !== undefined) q.andWhere('g.status = :status', { status: filter.status });
    if (filter.afterId !== undefined) q.andWhere('g.id > :afterId', { afterId: filter.afterId });
    if (filter.limit !== undefined) q.limit(filter.limit);
    return q.orderBy('g.id').getMany();
  }

  /** The member leases of each group, in booking order. */
  async membersOf(groupUuids: readonly string[], em?: EntityManager): Promise<Map<string, LeaseEntity[]>> {
    const members = new Map<string, LeaseEntity[]>(groupUuids.map((uuid) => [uuid, []]));
    if (groupUuids.length === 0) return members;
    const rows = await (em ?? this.dataSource.manager)
      .getRepository(LeaseEntity)
      .createQueryBuilder('l')
      .innerJoin(LeaseGroupMemberEntity, 'm', 'm.lease_uuid = l.uuid')
      .addSelect('m.group_uuid', 'group_uuid')
      .where('m.group_uuid IN (:...groupUuids)', { groupUuids })
      .orderBy('l.id')
      .getRawAndEntities();
    rows.entities.forEach((lease, i) => members.get(String(rows.raw[i].group_uuid))!.push(lease));
    return members;
  }

  async setEndTime(em: EntityManager, uuid: string, endTime: UtcTime, now: UtcTime): Promise<void> {
    await em
      .createQueryBuilder()
      .update(LeaseGroupEntity)
      .set({ endTime, updatedAt: now })
      .where('uuid = :uuid', { uuid })
      .execute();
  }

  async setStatus(em: EntityManager, uuid: string, status: LeaseGroupStatusName, now: UtcTime): Promise<void> {
    await em
      .createQueryBuilder()
      .update(LeaseGroupEntity)
      .set({ status, updatedAt: now })
      .where('uuid = :uuid', { uuid })
      .execute();
  }
}

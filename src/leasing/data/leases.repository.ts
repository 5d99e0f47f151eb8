import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { getFlatEntities, Listed, selectListed } from '../../common/entity-rows';
import { LEASE_OCCUPYING } from './statuses';
import { isMysqlDataSource } from '../../db/dialect';
import { fromDb, UtcTime } from '../../common/time';
import { LeaseEntity } from './lease.entity';

export interface LeaseListFilter {
  readonly projectId?: string;
  readonly ownerId?: string;
  /** `project_id = X OR owner_id = X` */
  readonly projectOrOwnerId?: string;
  /** null = every status */
  readonly statuses: readonly string[] | null;
  readonly offerUuid?: string;
  readonly resourceType?: string;
  readonly resourceUuid?: string;
  readonly purpose?: string;
  /** Closed intersection with the window, as upstream's lease list filter. */
  readonly intersecting?: { start: UtcTime; end: UtcTime };
}

export type NewLease = Omit<LeaseEntity, 'id' | 'updatedAt'>;
/** Every SQL question about leases. */
@Injectable()
export class LeasesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private query(em?: EntityManager): SelectQueryBuilder<LeaseEntity> {
    return (em ?? this.dataSource.manager).getRepository(LeaseEntity).createQueryBuilder('l');
  }

  findByUuid(uuid: string, em?: EntityManager): Promise<LeaseEntity | null> {
    return this.query(em).where('l.uuid = :uuid', { uuid }).getOne();
  }

  /**
   * Inside a transaction: the lease row, locked until the transaction ends (MySQL `FOR UPDATE`;
   * a row another transaction holds is waited for), or null when it is gone. On SQLite the
   * transaction already holds the database's only write lock.
   */
  takeForProcessing(em: EntityManager, uuid: string): Promise<LeaseEntity | null> {
    const q = this.query(em).where('l.uuid = :uuid', { uuid });
    if (isMysqlDataSource(em.connection)) q.setLock('pessimistic_write');
    return q.getOne();
  }

  /**
   * `takeForProcessing` for many leases in one statement. It waits rather than skipping rows
   * held elsewhere (`SKIP LOCKED`): a statement with an IN list briefly locks the index entry
   * next to each of its keys, so a concurrent `SKIP LOCKED` would skip leases nobody works on.
   */
  takeManyForProcessing(em: EntityManager, uuids: readonly string[]): Promise<LeaseEntity[]> {
    if (uuids.length === 0) return Promise.resolve([]);
    const q = this.query(em).where('l.uuid IN (:...uuids)', { uuids }).orderBy('l.id');
    if (isMysqlDataSource(em.connection)) q.setLock('pessimistic_write');
    return q.getMany();
  }

  findByName(name: string, statuses: readonly string[] | null): Promise<LeaseEntity[]> {
    const q = this.query().where('l.name = :name', { name });
    if (statuses) q.andWhere('l.status IN (:...statuses)', { statuses });
    return q.orderBy('l.id').getMany();
  }

  /**
   * One page of the lease list (`GET /v1/leases`), in id order: rows matching `filter` with
   * `id > afterId`, at most `limit` of them (keyset paging). Each page is an index range that starts where the last one
   * ended, however far into the table (EXPLAIN on MariaDB: the primary key, or the
   * `(column, id)` entries of the filter's index; never a filesort).
   */
  listPage(filter: LeaseListFilter, afterId: number, limit: number): Promise<Listed<LeaseEntity>[]> {
    if (filter.statuses?.length === 0) return Promise.resolve([]);
    const q = selectListed(this.query()).where('l.id > :afterId', { afterId });
    if (filter.projectId !== undefined) q.andWhere('l.project_id = :projectId', { projectId: filter.projectId });
    if (filter.ownerId !== undefined) q.andWhere('l.owner_id = :ownerId', { ownerId: filter.ownerId });
    if (filter.projectOrOwnerId !== undefined) {
      q.andWhere(
        new Brackets((w) =>
          w.where('l.project_id = :either', { either: filter.projectOrOwnerId }).orWhere('l.owner_id = :either'),
        ),
      );
    }
    if (filter.statuses) q.andWhere('l.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.offerUuid !== undefined) q.andWhere('l.offer_uuid = :offerUuid', { offerUuid: filter.offerUuid });
    if (filter.resourceType !== undefined) q.andWhere('l.resource_type = :rtype', { rtype: filter.resourceType });
    if (filter.resourceUuid !== undefined) q.andWhere('l.resource_uuid = :ruuid', { ruuid: filter.resourceUuid });
    if (filter.purpose !== undefined) q.andWhere('l.purpose = :purpose', { purpose: filter.purpose });
    if (filter.intersecting) {
      q.andWhere('l.start_time <= :wend AND l.end_time >= :wstart', {
        wstart: filter.intersecting.start,
        wend: filter.intersecting.end,
      });
    }
    return getFlatEntities(q.orderBy('l.id').limit(limit));
  }

  /** Occupying leases on a resource overlapping `[start, end)` (docs/decisions.md, "Leasing rules"). */
  async conflictsOnResource(
    em: EntityManager,
    resourceType: string,
    resourceUuid: string,
    start: UtcTime,
    end: UtcTime,
    excludeUuid?: string,
  ): Promise<boolean> {
    const q = this.occupyingOverlap(em, start, end, excludeUuid).andWhere(
      'l.resource_type = :rtype AND l.resource_uuid = :ruuid',
      { rtype: resourceType, ruuid: resourceUuid },
    );
    return (await q.getCount()) > 0;
  }

  /** Occupying sub-leases of a parent overlapping `[start, end)`. */
  async conflictsUnderParent(
    em: EntityManager,
    parentLeaseUuid: string,
    start: UtcTime,
    end: UtcTime,
    excludeUuid?: string,
  ): Promise<boolean> {
    const q = this.occupyingOverlap(em, start, end, excludeUuid).andWhere('l.parent_lease_uuid = :parent', {
      parent: parentLeaseUuid,
    });
    return (await q.getCount()) > 0;
  }

  /**
   * Occupying leases of any of the offers overlapping `[start, end)`, with their windows: what
   * the claims of several offers are checked against in one statement.
   */
  occupyingInOffers(
    em: EntityManager,
    offerUuids: readonly string[],
    start: UtcTime,
    end: UtcTime,
  ): Promise<Pick<LeaseEntity, 'uuid' | 'offerUuid' | 'startTime' | 'endTime'>[]> {
    if (offerUuids.length === 0) return Promise.resolve([]);
    return this.occupyingOverlap(em, start, end)
      .andWhere('l.offer_uuid IN (:...offers)', { offers: offerUuids })
      .select(['l.uuid', 'l.offerUuid', 'l.startTime', 'l.endTime'])
      .getMany();
  }

  private occupyingOverlap(em: EntityManager, start: UtcTime, end: UtcTime, excludeUuid?: string) {
    const q = this.query(em)
      .where('l.status IN (:...statuses)', { statuses: LEASE_OCCUPYING })
      .andWhere('l.start_time < :end AND l.end_time > :start', { start, end });
    if (excludeUuid) q.andWhere('l.uuid <> :exclude', { exclude: excludeUuid });
    return q;
  }

  /**
   * UUIDs of the leases of the given statuses on any of the given resources, in id order (node
   * list decoration): two columns, not entities, as it reads every such lease of the fleet.
   */
  async uuidsOnResources(
    resourceType: string,
    resourceUuids: readonly string[],
    statuses: readonly string[],
  ): Promise<Pick<LeaseEntity, 'uuid' | 'resourceUuid'>[]> {
    if (resourceUuids.length === 0) return [];
    const rows = await this.query()
      .select('l.uuid', 'uuid')
      .addSelect('l.resource_uuid', 'resource_uuid')
      // With the type, the (resource_type, resource_uuid) index serves the IN list.
      .where('l.resource_type = :type AND l.resource_uuid IN (:...uuids)', { type: resourceType, uuids: resourceUuids })
      .andWhere('l.status IN (:...statuses)', { statuses })
      .orderBy('l.id')
      .getRawMany<{ uuid: string; resource_uuid: string }>();
    return rows.map((r) => ({ uuid: r.uuid, resourceUuid: r.resource_uuid }));
  }

  /** Earliest occupying lease of an offer starting at or after `start`: a claim's default end. */
  async nextStartInOffer(offerUuid: string, start: UtcTime): Promise<UtcTime | null> {
    const next = await this.query()
      .where('l.offer_uuid = :offer', { offer: offerUuid })
      .andWhere('l.status IN (:...statuses)', { statuses: LEASE_OCCUPYING })
      .andWhere('l.start_time >= :start AND l.end_time >= :start', { start })
      .orderBy('l.start_time')
      .getOne();
    return next?.startTime ?? null;
  }

  /** Leases in `statuses` whose parent is one of `parentUuids`, in id order. */
  findByParentLeases(
    em: EntityManager,
    parentUuids: readonly string[],
    statuses: readonly string[],
  ): Promise<LeaseEntity[]> {
    if (parentUuids.length === 0) return Promise.resolve([]);
    return this.query(em)
      .where('l.parent_lease_uuid IN (:...parents)', { parents: parentUuids })
      .andWhere('l.status IN (:...statuses)', { statuses })
      .orderBy('l.id')
      .getMany();
  }

  /** Leases in `statuses` claimed from one of `offerUuids`, in id order. */
  findByOffers(em: EntityManager, offerUuids: readonly string[], statuses: readonly string[]): Promise<LeaseEntity[]> {
    if (offerUuids.length === 0) return Promise.resolve([]);
    return this.query(em)
      .where('l.offer_uuid IN (:...offers)', { offers: offerUuids })
      .andWhere('l.status IN (:...statuses)', { statuses })
      .orderBy('l.id')
      .getMany();
  }

  /** Whether a sub-lease of `parentUuid` in `statuses` ends after `end` (a parent may not end before its children). */
  async childEndsAfter(
    em: EntityManager,
    parentUuid: string,
    end: UtcTime,
    statuses: readonly string[],
  ): Promise<boolean> {
    const count = await this.query(em)
      .where('l.parent_lease_uuid = :parent', { parent: parentUuid })
      .andWhere('l.status IN (:...statuses)', { statuses })
      .andWhere('l.end_time > :end', { end })
      .getCount();
    return count > 0;
  }

  /** Leases whose manager work is due at `now`: in `statuses`, matching `when`, not backing off nor claimed. */
  async dueForManager(
    statuses: readonly string[],
    when: 'started' | 'ended' | 'any',
    now: UtcTime,
    limit: number,
  ): Promise<string[]> {
    const q = this.query()
      .select('l.uuid', 'uuid')
      .leftJoin('lease_retries', 'r', 'r.lease_uuid = l.uuid')
      .where('l.status IN (:...statuses)', { statuses })
      .andWhere('(r.next_attempt_at IS NULL OR r.next_attempt_at <= :now)', { now })
      .andWhere('(r.claimed_until IS NULL OR r.claimed_until <= :now)', { now });
    if (when === 'started') q.andWhere('l.start_time <= :now AND l.end_time >= :now');
    if (when === 'ended') q.andWhere('l.end_time <= :now');
    const rows = await q
      .orderBy(when === 'ended' ? 'l.end_time' : 'l.start_time')
      .limit(limit)
      .getRawMany<{ uuid: string }>();
    return rows.map((r) => r.uuid);
  }

  /** Leases in `statuses` whose end falls in `(from, to]` (the expiry warning mails). */
  endingBetween(statuses: readonly string[], from: UtcTime, to: UtcTime): Promise<LeaseEntity[]> {
    return this.query()
      .where('l.status IN (:...statuses)', { statuses })
      .andWhere('l.end_time > :from AND l.end_time <= :to', { from, to })
      .orderBy('l.id')
      .getMany();
  }

  /** The earliest future moment a lease becomes due to start, end or be retried. */
  async nextDueTime(startable: readonly string[], endable: readonly string[], now: UtcTime): Promise<UtcTime | null> {
    const [start, end, retry, lapse] = await Promise.all([
      this.query()
        .select('MIN(l.start_time)', 't')
        .where('l.status IN (:...startable)', { startable })
        .andWhere('l.start_time > :now', { now })
        .getRawOne<{ t: unknown }>(),
      this.query()
        .select('MIN(l.end_time)', 't')
        .where('l.status IN (:...endable)', { endable })
        .andWhere('l.end_time > :now', { now })
        .getRawOne<{ t: unknown }>(),
      this.dataSource
        .createQueryBuilder()
        .select('MIN(r.next_attempt_at)', 't')
        .from('lease_retries', 'r')
        .where('r.next_attempt_at > :now', { now })
        .getRawOne<{ t: unknown }>(),
      // A claim whose holder died lapses then, and its lease is due again.
      this.dataSource
        .createQueryBuilder()
        .select('MIN(r.claimed_until)', 't')
        .from('lease_retries', 'r')
        .where('r.claimed_until > :now', { now })
        .getRawOne<{ t: unknown }>(),
    ]);
    const times = [start?.t, end?.t, retry?.t, lapse?.t]
      .filter((t) => t !== null && t !== undefined)
      .map((t) => fromDb(t)!);
    return times.length === 0 ? null : times.reduce((a, b) => (a < b ? a : b));
  }

  async insert(em: EntityManager, lease: NewLease): Promise<LeaseEntity> {
    const repo = em.getRepository(LeaseEntity);
    return repo.save(repo.create(lease));
  }

  /**
   * New leases (a group's) in one INSERT, in the order given, with the ids the database gave
   * them: read back by uuid, not counted on from the first, which an auto-increment step other
   * than 1 (Galera's) would break.
   */
  async insertAll(em: EntityManager, leases: readonly NewLease[]): Promise<LeaseEntity[]> {
    if (leases.length <= 1) return Promise.all(leases.map((lease) => this.insert(em, lease)));
    const repo = em.getRepository(LeaseEntity);
    const entities = leases.map((lease) => repo.create(lease));
    // The properties column's transformer takes the object: the builder's type wants it deep-partial.
    const values = entities as QueryDeepPartialEntity<LeaseEntity>[];
    await em.createQueryBuilder().insert().into(LeaseEntity).values(values).updateEntity(false).execute();
    const ids = await repo.find({ select: { id: true, uuid: true }, where: { uuid: In(entities.map((l) => l.uuid)) } });
    const idOf = new Map(ids.map((row) => [row.uuid, row.id]));
    for (const entity of entities) entity.id = idOf.get(entity.uuid)!;
    return entities;
  }

  async setEndTime(em: EntityManager, uuid: string, endTime: UtcTime, now: UtcTime): Promise<void> {
    await em
      .createQueryBuilder()
      .update(LeaseEntity)
      .set({ endTime, updatedAt: now })
      .where('uuid = :uuid', { uuid })
      .execute();
  }

  /** Puts a lease on another resource, inside an offer there (a move of a lease that has not started). */
  async moveToOffer(
    em: EntityManager,
    uuid: string,
    resourceUuid: string,
    offerUuid: string,
    now: UtcTime,
  ): Promise<void> {
    await em
      .createQueryBuilder()
      .update(LeaseEntity)
      .set({ resourceUuid, offerUuid, updatedAt: now })
      .where('uuid = :uuid', { uuid })
      .execute();
  }

  /** Compare-and-set transition (docs/decisions.md, "Manager"); false when the row moved on meanwhile. */
  async transition(
    em: EntityManager,
    uuid: string,
    from: readonly string[],
    changes: Partial<Pick<LeaseEntity, 'status' | 'fulfillTime' | 'expireTime'>>,
    now: UtcTime,
  ): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(LeaseEntity)
      .set({ ...changes, updatedAt: now })
      .where('uuid = :uuid AND status IN (:...from)', { uuid, from })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** `transition` for many leases in one UPDATE; returns how many rows changed. */
  async transitionMany(
    em: EntityManager,
    uuids: readonly string[],
    from: readonly string[],
    changes: Partial<Pick<LeaseEntity, 'status' | 'fulfillTime' | 'expireTime'>>,
    now: UtcTime,
  ): Promise<number> {
    if (uuids.length === 0) return 0;
    const result = await em
      .createQueryBuilder()
      .update(LeaseEntity)
      .set({ ...changes, updatedAt: now })
      .where('uuid IN (:...uuids) AND status IN (:...from)', { uuids, from })
      .execute();
    return result.affected ?? 0;
  }

  findByUuids(uuids: readonly string[], em?: EntityManager): Promise<LeaseEntity[]> {
    if (uuids.length === 0) return Promise.resolve([]);
    return this.query(em).where('l.uuid IN (:...uuids)', { uuids }).getMany();
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { entityFromRow, getFlatEntities, Listed, selectListed } from '../../common/entity-rows';
import { isMysqlDataSource } from '../../db/dialect';
import { LEASE_OCCUPYING, OFFER_OCCUPYING, OfferStatus } from './statuses';
import { fromDb, UtcTime } from '../../common/time';
import { BusyIntervalRow, Interval, intervalsByOffer } from './leases.repository';
import { OfferEntity } from './offer.entity';

export interface OfferListFilter {
  readonly projectId?: string;
  readonly resourceType?: string;
  readonly resourceUuid?: string;
  /** null = every status */
  readonly statuses: readonly string[] | null;
  /** The offer must cover the whole window (api.md 3.2.1 step 8). */
  readonly covering?: { start: UtcTime; end: UtcTime };
  /** Non-admin visibility: own offers, unrestricted ones, or ones restricted to an ancestor. */
  readonly visibleTo?: { projectId: string; ancestry: readonly string[] };
}

export type NewOffer = Omit<OfferEntity, 'id' | 'updatedAt'>;

/**
 * Plain SQL both dialects read alike; `o.*` keeps the columns under their own names. The
 * leases' statuses are filtered here, not in SQL: an IN list on `l.status` made MariaDB's
 * range analysis cost ~50 µs of its CPU per show, more than the few extra rows cost us
 * (140 vs 89 µs per query; docs/performance.md).
 */
const OFFER_WITH_BUSY_INTERVALS =
  'SELECT o.*, l.status AS busy_status, l.start_time AS busy_start, l.end_time AS busy_end FROM offers o ' +
  'LEFT JOIN leases l ON l.offer_uuid = o.uuid AND o.status = ? AND l.end_time > ? ' +
  'WHERE o.uuid = ?';
const OCCUPYING: ReadonlySet<unknown> = new Set(LEASE_OCCUPYING);
export type OfferOnResource = Pick<OfferEntity, 'uuid' | 'resourceUuid' | 'startTime' | 'endTime'>;

/** Every SQL question about offers. */
@Injectable()
export class OffersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private query(em?: EntityManager): SelectQueryBuilder<OfferEntity> {
    return (em ?? this.dataSource.manager).getRepository(OfferEntity).createQueryBuilder('o');
  }

  findByUuid(uuid: string, em?: EntityManager): Promise<OfferEntity | null> {
    return this.query(em).where('o.uuid = :uuid', { uuid }).getOne();
  }

  /**
   * `GET /v1/offers/{uuid}` in one round trip: the offer and, when it is available, the busy
   * intervals of its occupying leases that end after `endingAfter` (the question of
   * LeasesRepository.busyIntervalsByOffer). Written out rather than built: it is the hottest
   * read, and building the query cost as much as running it. Null when there is no such offer.
   */
  async findByUuidWithBusyIntervals(
    uuid: string,
    endingAfter: UtcTime,
  ): Promise<{ offer: OfferEntity; busy: Interval[] } | null> {
    const rows = (await this.dataSource.query(OFFER_WITH_BUSY_INTERVALS, [
      OfferStatus.AVAILABLE,
      endingAfter,
      uuid,
    ])) as Record<string, unknown>[];
    if (rows.length === 0) return null;
    const busy: Interval[] = [];
    for (const row of rows) {
      if (OCCUPYING.has(row.busy_status)) busy.push([fromDb(row.busy_start)!, fromDb(row.busy_end)!]);
    }
    return { offer: entityFromRow(this.dataSource, OfferEntity, rows[0]), busy };
  }

  findByName(name: string, statuses: readonly string[] | null): Promise<OfferEntity[]> {
    const q = this.query().where('o.name = :name', { name });
    if (statuses) q.andWhere('o.status IN (:...statuses)', { statuses });
    return q.orderBy('o.id').getMany();
  }

  /**
   * One page of the offer list (`GET /v1/offers`), in id order: offers matching `filter` with
   * `id > afterId`, at most `limit` of them (keyset paging: the primary key, or the
   * `(project_id, id)` entries of the project index, never a filesort).
   */
  listPage(filter: OfferListFilter, afterId: number, limit: number): Promise<Listed<OfferEntity>[]> {
    if (filter.statuses?.length === 0) return Promise.resolve([]);
    const q = this.filtered(selectListed(this.query()), filter).andWhere('o.id > :afterId', { afterId });
    return getFlatEntities(q.orderBy('o.id').limit(limit));
  }

  /**
   * The busy intervals a page of `listPage(filter, …)` needs for availabilities: those of its
   * `available` offers with ids in `ids` (`(after, upTo]`), ending after `endingAfter`, by
   * offer id. The offers are selected again by the page's filter and id range, and the join
   * order is forced, offers first, then the leases of each through `lease_offer_busy_idx`:
   * with an IN subquery, MariaDB sometimes chose to scan the whole lease index instead
   * (EXPLAIN on a freshly loaded fleet: 26 ms instead of 4.5 ms for one owner's 1k offers;
   * docs/performance.md). Keyed by id, not uuid: an integer per row instead of a 36-character
   * string to send, decode and hash (about 1 ms of the database's and 1 ms of ours per
   * 1,000 offers).
   */
  async busyIntervalsForPage(
    filter: OfferListFilter,
    ids: { after: number; upTo: number },
    endingAfter: UtcTime,
  ): Promise<Map<number, Interval[]>> {
    if (filter.statuses && !filter.statuses.includes(OfferStatus.AVAILABLE)) return new Map();
    const [built, parameters] = this.filtered(this.query(), { ...filter, statuses: [OfferStatus.AVAILABLE] })
      .andWhere('o.id > :after AND o.id <= :upTo', ids)
      .innerJoin('leases', 'l', 'l.offer_uuid = o.uuid AND l.status IN (:...occupying) AND l.end_time > :endingAfter', {
        occupying: LEASE_OCCUPYING,
        endingAfter,
      })
      .select('o.id', 'offer')
      .addSelect('l.start_time', 'start_time')
      .addSelect('l.end_time', 'end_time')
      .getQueryAndParameters();
    // Both dialects' way to keep the left table as the outer loop.
    const forced = built.replace(' INNER JOIN ', isMysqlDataSource(this.dataSource) ? ' STRAIGHT_JOIN ' : ' CROSS JOIN ');
    if (forced === built) throw new Error('busyIntervalsForPage: no INNER JOIN to force in the built query');
    return intervalsByOffer((await this.dataSource.query(forced, parameters)) as BusyIntervalRow<number>[]);
  }

  /** The WHERE clause of the list. */
  private filtered(q: SelectQueryBuilder<OfferEntity>, filter: OfferListFilter): SelectQueryBuilder<OfferEntity> {
    if (filter.projectId !== undefined) {
      q.andWhere('o.project_id = :projectId', { projectId: filter.projectId });
      // MySQL only (TypeORM leaves it out elsewhere). MariaDB otherwise intersects this index
      // with the status index, which took twice as long as reading the project's offers
      // (EXPLAIN, docs/performance.md).
      if (filter.resourceUuid === undefined) q.useIndex('offer_project_id_idx');
    }
    if (filter.resourceType !== undefined) q.andWhere('o.resource_type = :rtype', { rtype: filter.resourceType });
    if (filter.resourceUuid !== undefined) q.andWhere('o.resource_uuid = :ruuid', { ruuid: filter.resourceUuid });
    if (filter.statuses) q.andWhere('o.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.covering) {
      q.andWhere('o.start_time <= :cstart AND o.end_time >= :cend', {
        cstart: filter.covering.start,
        cend: filter.covering.end,
      });
    }
    if (filter.visibleTo) {
      const { projectId, ancestry } = filter.visibleTo;
      q.andWhere(
        new Brackets((w) => {
          w.where('o.project_id = :viewer', { viewer: projectId }).orWhere('o.lessee_id IS NULL');
          if (ancestry.length > 0) w.orWhere('o.lessee_id IN (:...ancestry)', { ancestry });
        }),
      );
    }
    return q;
  }

  /** Available offers on a resource overlapping `[start, end)` (api.md 3.7.2). */
  async conflictsOnResource(
    em: EntityManager,
    resourceType: string,
    resourceUuid: string,
    start: UtcTime,
    end: UtcTime,
  ): Promise<boolean> {
    const count = await this.query(em)
      .where('o.resource_type = :rtype AND o.resource_uuid = :ruuid', { rtype: resourceType, ruuid: resourceUuid })
      .andWhere('o.status IN (:...statuses)', { statuses: OFFER_OCCUPYING })
      .andWhere('o.start_time < :end AND o.end_time > :start', { start, end })
      .getCount();
    return count > 0;
  }

  /** Available sub-offers of a parent lease overlapping `[start, end)` (api.md 3.7.3). */
  async conflictsUnderParent(em: EntityManager, parentLeaseUuid: string, start: UtcTime, end: UtcTime): Promise<boolean> {
    const count = await this.query(em)
      .where('o.parent_lease_uuid = :parent', { parent: parentLeaseUuid })
      .andWhere('o.status IN (:...statuses)', { statuses: OFFER_OCCUPYING })
      .andWhere('o.start_time < :end AND o.end_time > :start', { start, end })
      .getCount();
    return count > 0;
  }

  findByParentLease(parentLeaseUuid: string, statuses: readonly string[], em?: EntityManager): Promise<OfferEntity[]> {
    return this.query(em)
      .where('o.parent_lease_uuid = :parent', { parent: parentLeaseUuid })
      .andWhere('o.status IN (:...statuses)', { statuses })
      .orderBy('o.id')
      .getMany();
  }

  /**
   * Offers of the given statuses on any of the given resources, in id order (node list
   * decoration): only the four columns it shows, not entities, as it reads every offer of the fleet.
   */
  async onResources(resourceType: string, resourceUuids: readonly string[], statuses: readonly string[]): Promise<OfferOnResource[]> {
    if (resourceUuids.length === 0) return [];
    const rows = await this.query()
      .select('o.uuid', 'uuid')
      .addSelect('o.resource_uuid', 'resource_uuid')
      .addSelect('o.start_time', 'start_time')
      .addSelect('o.end_time', 'end_time')
      // With the type, the (resource_type, resource_uuid) index serves the IN list.
      .where('o.resource_type = :type AND o.resource_uuid IN (:...uuids)', { type: resourceType, uuids: resourceUuids })
      .andWhere('o.status IN (:...statuses)', { statuses })
      .orderBy('o.id')
      .getRawMany<{ uuid: string; resource_uuid: string; start_time: unknown; end_time: unknown }>();
    return rows.map((r) => ({
      uuid: r.uuid,
      resourceUuid: r.resource_uuid,
      startTime: fromDb(r.start_time)!,
      endTime: fromDb(r.end_time)!,
    }));
  }

  /** Offers in `statuses` whose end has passed (the manager's expiry job). */
  async endedBy(statuses: readonly string[], now: UtcTime, limit: number): Promise<string[]> {
    const rows = await this.query()
      .select('o.uuid', 'uuid')
      .where('o.status IN (:...statuses)', { statuses })
      .andWhere('o.end_time <= :now', { now })
      .orderBy('o.end_time')
      .limit(limit)
      .getRawMany<{ uuid: string }>();
    return rows.map((r) => r.uuid);
  }

  async nextEndTime(statuses: readonly string[], now: UtcTime): Promise<UtcTime | null> {
    const row = await this.query()
      .select('MIN(o.end_time)', 't')
      .where('o.status IN (:...statuses)', { statuses })
      .andWhere('o.end_time > :now', { now })
      .getRawOne<{ t: unknown }>();
    return fromDb(row?.t);
  }

  async insert(em: EntityManager, offer: NewOffer): Promise<OfferEntity> {
    const repo = em.getRepository(OfferEntity);
    return repo.save(repo.create(offer));
  }

  /** Compare-and-set status change (decisions.md 9); false when the row moved on meanwhile. */
  async transition(
    em: EntityManager,
    uuid: string,
    from: readonly string[],
    to: string,
    now: UtcTime,
  ): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(OfferEntity)
      .set({ status: to, updatedAt: now })
      .where('uuid = :uuid AND status IN (:...from)', { uuid, from })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Which of the leases `leaseUuids` are the parent of an offer in `statuses`. */
  async parentsAmong(leaseUuids: readonly string[], statuses: readonly string[]): Promise<Set<string>> {
    if (leaseUuids.length === 0) return new Set();
    const rows = await this.query()
      .select('DISTINCT o.parent_lease_uuid', 'parent')
      .where('o.parent_lease_uuid IN (:...uuids)', { uuids: leaseUuids })
      .andWhere('o.status IN (:...statuses)', { statuses })
      .getRawMany<{ parent: string }>();
    return new Set(rows.map((r) => r.parent));
  }
}

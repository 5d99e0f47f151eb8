import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { getFlatEntities, Listed, selectListed } from '../../common/entity-rows';
import { fromDb, UtcTime } from '../../common/time';
import { OFFER_OCCUPYING } from './statuses';
import { OfferEntity } from './offer.entity';

export interface OfferListFilter {
  readonly projectId?: string;
  readonly resourceType?: string;
  readonly resourceUuid?: string;
  /** null = every status */
  readonly statuses: readonly string[] | null;
  /** The offer must cover the whole window, as upstream's offer list filter. */
  readonly covering?: { start: UtcTime; end: UtcTime };
  /** Non-admin visibility: own offers, unrestricted ones, or ones restricted to an ancestor. */
  readonly visibleTo?: { projectId: string; ancestry: readonly string[] };
}

export type NewOffer = Omit<OfferEntity, 'id' | 'updatedAt'>;

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

  /** Available offers on a resource overlapping `[start, end)`. */
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

  /** Available sub-offers of a parent lease overlapping `[start, end)`. */
  async conflictsUnderParent(em: EntityManager, parentLeaseUuid: string, start: UtcTime, end: UtcTime): Promise<boolean> {
    const count = await this.query(em)
      .where('o.parent_lease_uuid = :parent', { parent: parentLeaseUuid })
      .andWhere('o.status IN (:...statuses)', { statuses: OFFER_OCCUPYING })
      .andWhere('o.start_time < :end AND o.end_time > :start', { start, end })
      .getCount();
    return count > 0;
  }

  /** Offers in `statuses` whose parent lease is one of `parentUuids`, in id order. */
  findByParentLeases(em: EntityManager, parentUuids: readonly string[], statuses: readonly string[]): Promise<OfferEntity[]> {
    if (parentUuids.length === 0) return Promise.resolve([]);
    return this.query(em)
      .where('o.parent_lease_uuid IN (:...parents)', { parents: parentUuids })
      .andWhere('o.status IN (:...statuses)', { statuses })
      .orderBy('o.id')
      .getMany();
  }

  /** Whether a sub-offer of `parentUuid` in `statuses` ends after `end` (a parent may not end before its children). */
  async childEndsAfter(em: EntityManager, parentUuid: string, end: UtcTime, statuses: readonly string[]): Promise<boolean> {
    const count = await this.query(em)
      .where('o.parent_lease_uuid = :parent', { parent: parentUuid })
      .andWhere('o.status IN (:...statuses)', { statuses })
      .andWhere('o.end_time > :end', { end })
      .getCount();
    return count > 0;
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

  /** Compare-and-set status change of many offers (docs/decisions.md, "Leasing rules"); how many changed. */
  async transitionMany(
    em: EntityManager,
    uuids: readonly string[],
    from: readonly string[],
    to: string,
    now: UtcTime,
  ): Promise<number> {
    if (uuids.length === 0) return 0;
    const result = await em
      .createQueryBuilder()
      .update(OfferEntity)
      .set({ status: to, updatedAt: now })
      .where('uuid IN (:...uuids) AND status IN (:...from)', { uuids, from })
      .execute();
    return result.affected ?? 0;
  }

  findByUuids(uuids: readonly string[], em?: EntityManager): Promise<OfferEntity[]> {
    if (uuids.length === 0) return Promise.resolve([]);
    return this.query(em).where('o.uuid IN (:...uuids)', { uuids }).orderBy('o.id').getMany();
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, FindOptionsWhere, In, IsNull } from 'typeorm';
import { UtcTime } from '../../common/time';
import { ResourceRef } from '../../db/transaction-runner';
import { LeaseEntity } from '../../leasing/data/lease.entity';
import { LeaseGroupEntity, LeaseGroupMemberEntity } from '../../leasing/data/lease-group.entity';
import { OfferEntity } from '../../leasing/data/offer.entity';
import { EXPIRABLE, LEASE_OCCUPYING, LeaseStatus, OFFER_CAN_DELETE, OfferStatus } from '../../leasing/data/statuses';
import { FLAGGABLE } from '../../leasing/health/node-health';

/** Offers a healing move may try, at most, per lease. */
const MOST_HEALING_TARGETS = 20;

/** What is booked on a node that left esi-leap's hands and must end. */
export interface NodeBookings {
  readonly offerUuids: string[];
  readonly leaseUuids: string[];
}

/**
 * The questions node health asks about offers and leases: which nodes to watch, what is
 * booked on a node, and where a lease could move. Reads only; every change goes through
 * LeaseLifecycle or BookingService.
 */
@Injectable()
export class NodeBookingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Nodes with a live offer or an occupying lease: those whose health matters. */
  async bookedNodes(): Promise<ResourceRef[]> {
    const rows = (await this.dataSource.query(
      `SELECT resource_type, resource_uuid FROM offers WHERE status IN (${marks(OFFER_CAN_DELETE)}) ` +
        `UNION SELECT resource_type, resource_uuid FROM leases WHERE status IN (${marks(LEASE_OCCUPYING)})`,
      [...OFFER_CAN_DELETE, ...LEASE_OCCUPYING],
    )) as { resource_type: string; resource_uuid: string }[];
    return rows.map((r) => ({ resourceType: r.resource_type, resourceUuid: r.resource_uuid }));
  }

  /** Whether anything live is booked on the node. */
  async isBooked(ref: ResourceRef): Promise<boolean> {
    const [offer, lease] = await Promise.all([
      this.dataSource
        .getRepository(OfferEntity)
        .exists({ where: { ...onNode(ref), status: In([...OFFER_CAN_DELETE]) } }),
      this.dataSource
        .getRepository(LeaseEntity)
        .exists({ where: { ...onNode(ref), status: In([...LEASE_OCCUPYING]) } }),
    ]);
    return offer || lease;
  }

  /** The leases on the node that are flagged while it is unhealthy. */
  flaggableOn(em: EntityManager, ref: ResourceRef): Promise<LeaseEntity[]> {
    return em
      .getRepository(LeaseEntity)
      .createQueryBuilder('l')
      .where('l.resource_type = :type AND l.resource_uuid = :uuid', { type: ref.resourceType, uuid: ref.resourceUuid })
      .andWhere('l.status IN (:...statuses)', { statuses: FLAGGABLE })
      .orderBy('l.id')
      .getMany();
  }

  /** Everything live on the node: its offers and its leases (sub-leases and claims included). */
  liveOn(ref: ResourceRef): Promise<NodeBookings> {
    return this.bookings({ ...onNode(ref) }, { ...onNode(ref) });
  }

  /** What `owner` granted on the node: its offers there, and the leases it gave directly. */
  grantedBy(ref: ResourceRef, owner: string): Promise<NodeBookings> {
    return this.bookings(
      { ...onNode(ref), projectId: owner, parentLeaseUuid: IsNull() },
      { ...onNode(ref), ownerId: owner, parentLeaseUuid: IsNull() },
    );
  }

  /** Leases on the node that have not started and may move: their own, not inside a parent lease. */
  futureLeasesOn(ref: ResourceRef, now: UtcTime): Promise<LeaseEntity[]> {
    return this.dataSource
      .getRepository(LeaseEntity)
      .createQueryBuilder('l')
      .where('l.resource_type = :type AND l.resource_uuid = :uuid', { type: ref.resourceType, uuid: ref.resourceUuid })
      .andWhere('l.status = :created AND l.start_time > :now AND l.parent_lease_uuid IS NULL', {
        created: LeaseStatus.CREATED,
        now,
      })
      .orderBy('l.start_time')
      .addOrderBy('l.id')
      .getMany();
  }

  /** The constraints of the group the lease was booked in (a lease is in one at most); none outside a group. */
  async groupConstraintsOf(leaseUuid: string): Promise<string[]> {
    const group = await this.dataSource
      .getRepository(LeaseGroupEntity)
      .createQueryBuilder('g')
      .innerJoin(LeaseGroupMemberEntity, 'm', 'm.group_uuid = g.uuid')
      .where('m.lease_uuid = :leaseUuid', { leaseUuid })
      .getOne();
    return group?.constraints ?? [];
  }

  /**
   * Available offers a lease could move into: the same owner and resource type, another node,
   * covering the lease's window, open to its project, with no occupying lease overlapping it;
   * tightest first (the earliest end), so long offers stay free for long leases.
   */
  healingTargets(lease: LeaseEntity): Promise<OfferEntity[]> {
    return this.dataSource
      .getRepository(OfferEntity)
      .createQueryBuilder('o')
      .where('o.resource_type = :type AND o.resource_uuid <> :uuid', {
        type: lease.resourceType,
        uuid: lease.resourceUuid,
      })
      .andWhere('o.project_id = :owner AND o.status = :available AND o.parent_lease_uuid IS NULL', {
        owner: lease.ownerId,
        available: OfferStatus.AVAILABLE,
      })
      .andWhere('o.start_time <= :start AND o.end_time >= :end', { start: lease.startTime, end: lease.endTime })
      .andWhere('(o.lessee_id IS NULL OR o.lessee_id = :project)', { project: lease.projectId })
      .andWhere(
        `NOT EXISTS (SELECT 1 FROM leases l WHERE l.offer_uuid = o.uuid AND l.status IN (:...occupying) ` +
          'AND l.start_time < :end AND l.end_time > :start)',
        { occupying: LEASE_OCCUPYING },
      )
      .orderBy('o.end_time')
      .addOrderBy('o.uuid')
      .limit(MOST_HEALING_TARGETS)
      .getMany();
  }

  private async bookings(
    offers: FindOptionsWhere<OfferEntity>,
    leases: FindOptionsWhere<LeaseEntity>,
  ): Promise<NodeBookings> {
    const [liveOffers, liveLeases] = await Promise.all([
      this.dataSource.getRepository(OfferEntity).find({
        select: { uuid: true },
        where: { ...offers, status: In([...OFFER_CAN_DELETE]) },
        order: { id: 'ASC' },
      }),
      this.dataSource.getRepository(LeaseEntity).find({
        select: { uuid: true },
        where: { ...leases, status: In([...EXPIRABLE]) },
        order: { id: 'ASC' },
      }),
    ]);
    return { offerUuids: liveOffers.map((o) => o.uuid), leaseUuids: liveLeases.map((l) => l.uuid) };
  }
}

function onNode(ref: ResourceRef): { resourceType: string; resourceUuid: string } {
  return { resourceType: ref.resourceType, resourceUuid: ref.resourceUuid };
}

function marks(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

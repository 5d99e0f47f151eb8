import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  LeaseNotActive,
  LeaseNoTimeAvailabilities,
  OfferNotAvailable,
  OfferNoTimeAvailabilities,
  ResourceTimeConflict,
} from '../../common/errors/esi-leap.exceptions';
import { UtcTime } from '../../common/time';
import { LeaseEntity } from '../data/lease.entity';
import { LeasesRepository } from '../data/leases.repository';
import { OfferEntity } from '../data/offer.entity';
import { OffersRepository } from '../data/offers.repository';
import { LeaseStatus, OfferStatus } from '../data/statuses';

/**
 * What blocks a booking, checked inside the booking's transaction after its resource lock:
 * overlapping occupying offers or leases on the resource, or, inside an offer or a parent
 * lease, a container that is no longer live or a window that is taken. Each re-reads what it
 * depends on under the lock, which is what makes a booking and a cancel of its container
 * serialise (BookingService, LeaseLifecycle).
 */
@Injectable()
export class ConflictChecks {
  constructor(
    private readonly offers: OffersRepository,
    private readonly leases: LeasesRepository,
  ) {}

  async assertResourceFree(
    em: EntityManager,
    resourceType: string,
    resourceUuid: string,
    start: UtcTime,
    end: UtcTime,
    excludeLeaseUuid?: string,
  ): Promise<void> {
    const busy =
      (await this.offers.conflictsOnResource(em, resourceType, resourceUuid, start, end)) ||
      (await this.leases.conflictsOnResource(em, resourceType, resourceUuid, start, end, excludeLeaseUuid));
    if (busy) throw new ResourceTimeConflict({ resource_type: resourceType, resource_uuid: resourceUuid });
  }

  /** The parent must still be active, and the window inside it and free of its other children. */
  async assertFreeUnderParent(
    em: EntityManager,
    parentUuid: string,
    start: UtcTime,
    end: UtcTime,
    excludeLeaseUuid?: string,
  ): Promise<LeaseEntity> {
    const parent = await this.leases.findByUuid(parentUuid, em);
    if (!parent || parent.status !== LeaseStatus.ACTIVE) throw new LeaseNotActive({ lease_id: parentUuid });
    const busy =
      start < parent.startTime ||
      end > parent.endTime ||
      (await this.leases.conflictsUnderParent(em, parent.uuid, start, end, excludeLeaseUuid)) ||
      (await this.offers.conflictsUnderParent(em, parent.uuid, start, end));
    if (busy) {
      throw new LeaseNoTimeAvailabilities({ lease_uuid: parent.uuid, start_time: start, end_time: end });
    }
    return parent;
  }

  /** The offer must still be available, and the window inside it and free of its other leases. */
  async assertFreeInOffer(
    em: EntityManager,
    offerUuid: string,
    start: UtcTime,
    end: UtcTime,
    excludeLeaseUuid?: string,
  ): Promise<OfferEntity> {
    const [offer] = await this.assertFreeInOffers(em, [{ offerUuid, start, end, excludeLeaseUuid }]);
    return offer;
  }

  /**
   * `assertFreeInOffer` for several claims at once (a group's members), in two statements
   * whatever their number; the first claim refused, in the given order, is the error thrown.
   */
  async assertFreeInOffers(em: EntityManager, claims: readonly ClaimWindow[]): Promise<OfferEntity[]> {
    if (claims.length === 0) return [];
    const offerUuids = [...new Set(claims.map((c) => c.offerUuid))];
    const from = claims.reduce((min, c) => (c.start < min ? c.start : min), claims[0].start);
    const to = claims.reduce((max, c) => (c.end > max ? c.end : max), claims[0].end);
    const [offers, taken] = await Promise.all([
      this.offers.findByUuids(offerUuids, em),
      this.leases.occupyingInOffers(em, offerUuids, from, to),
    ]);
    const offerOf = new Map(offers.map((o) => [o.uuid, o]));
    return claims.map(({ offerUuid, start, end, excludeLeaseUuid }) => {
      const offer = offerOf.get(offerUuid);
      if (!offer || offer.status !== OfferStatus.AVAILABLE) {
        throw new OfferNotAvailable({ offer_uuid: offerUuid, status: offer?.status ?? 'None' });
      }
      const busy =
        start < offer.startTime ||
        end > offer.endTime ||
        taken.some(
          (l) => l.offerUuid === offerUuid && l.uuid !== excludeLeaseUuid && l.startTime < end && l.endTime > start,
        );
      if (busy) throw new OfferNoTimeAvailabilities({ offer_uuid: offerUuid, start_time: start, end_time: end });
      return offer;
    });
  }
}

/** A claim's window inside its offer; `excludeLeaseUuid` is the lease being extended, which does not conflict with itself. */
export interface ClaimWindow {
  readonly offerUuid: string;
  readonly start: UtcTime;
  readonly end: UtcTime;
  readonly excludeLeaseUuid?: string;
}

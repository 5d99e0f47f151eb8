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
    const offer = await this.offers.findByUuid(offerUuid, em);
    if (!offer || offer.status !== OfferStatus.AVAILABLE) {
      throw new OfferNotAvailable({ offer_uuid: offerUuid, status: offer?.status ?? 'None' });
    }
    const busy =
      start < offer.startTime ||
      end > offer.endTime ||
      (await this.leases.conflictsInOffer(em, offer.uuid, start, end, excludeLeaseUuid));
    if (busy) throw new OfferNoTimeAvailabilities({ offer_uuid: offer.uuid, start_time: start, end_time: end });
    return offer;
  }
}

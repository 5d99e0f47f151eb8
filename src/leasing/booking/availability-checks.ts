import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  LeaseNotActive,
  LeaseNoTimeAvailabilities,
  OfferNotAvailable,
  OfferNoTimeAvailabilities,
  ResourceTimeConflict,
} from '../../common/errors/esi-leap.exceptions';
import { LeaseStatus, OfferStatus } from '../data/statuses';
import { UtcTime } from '../../common/time';
import { LeaseEntity } from '../data/lease.entity';
import { LeasesRepository } from '../data/leases.repository';
import { OfferEntity } from '../data/offer.entity';
import { OffersRepository } from '../data/offers.repository';

/**
 * The conflict checks of api.md 3.7.2–3.7.4. Each runs inside the caller's transaction,
 * after the resource lock was taken, so check and write are atomic (decisions.md 8).
 */
@Injectable()
export class AvailabilityChecks {
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

  /** Re-reads the parent under the lock: it must still be active, and the window free in it. */
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

  /** Re-reads the offer under the lock: it must still be available, and the window free in it. */
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

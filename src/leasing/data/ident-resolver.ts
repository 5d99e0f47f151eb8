import { Inject, Injectable } from '@nestjs/common';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import {
  LeaseDuplicateName,
  LeaseNotFound,
  OfferDuplicateName,
  OfferNotFound,
} from '../../common/errors/esi-leap.exceptions';
import { isUuidLike } from '../../common/uuid-like';
import { LeaseEntity } from './lease.entity';
import { UtcTime } from '../../common/time';
import { LeasesRepository } from './leases.repository';
import { BusyIntervalsRepository, Interval } from './busy-intervals.repository';
import { ResourceDriver } from '../../drivers/resource-driver';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';
import { OfferEntity } from './offer.entity';
import { OffersRepository } from './offers.repository';

export interface ResolvedResource {
  readonly driver: ResourceDriver;
  readonly resourceType: string;
  readonly resourceUuid: string;
}

/**
 * Name-or-UUID resolution, as upstream: offers and leases by UUID or by a globally unique
 * name, with the endpoint's status filter; resources through their driver. An unknown UUID
 * is a 404 like an unknown name (docs/decisions.md, "Statuses and errors").
 */
@Injectable()
export class IdentResolver {
  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly offers: OffersRepository,
    private readonly leases: LeasesRepository,
    private readonly drivers: ResourceDriverRegistry,
    private readonly busyIntervals: BusyIntervalsRepository,
  ) {}

  async offer(ident: string, statuses: readonly string[] | null = null): Promise<OfferEntity> {
    const rows = isUuidLike(ident)
      ? [await this.offers.findByUuid(ident)].filter((o): o is OfferEntity => o !== null)
      : await this.offers.findByName(ident, statuses);
    if (rows.length > 1) throw new OfferDuplicateName({ name: ident });
    const offer = rows[0];
    if (!offer || (statuses && !statuses.includes(offer.status))) throw new OfferNotFound({ offer_uuid: ident });
    return offer;
  }

  /**
   * `offer(ident)` for showing it: by UUID, the offer comes with its busy intervals ending after
   * `endingAfter` and its node's health problem from the same query; by name, both are left
   * for the presenter to read.
   */
  async offerWithBusyIntervals(
    ident: string,
    endingAfter: UtcTime,
  ): Promise<{ offer: OfferEntity; busy?: Interval[]; nodeProblem?: string | null }> {
    if (!isUuidLike(ident)) return { offer: await this.offer(ident) };
    const found = await this.busyIntervals.offerWithIntervals(ident, endingAfter);
    if (!found) throw new OfferNotFound({ offer_uuid: ident });
    return found;
  }

  async lease(ident: string, statuses: readonly string[] | null = null): Promise<LeaseEntity> {
    const rows = isUuidLike(ident)
      ? [await this.leases.findByUuid(ident)].filter((l): l is LeaseEntity => l !== null)
      : await this.leases.findByName(ident, statuses);
    if (rows.length > 1) throw new LeaseDuplicateName({ name: ident });
    const lease = rows[0];
    if (!lease || (statuses && !statuses.includes(lease.status))) throw new LeaseNotFound({ lease_id: ident });
    return lease;
  }

  /**
   * The resource filter of the list endpoints: with `resource_uuid`, its type defaults and
   * becomes a filter and the ident resolves; without, `resource_type` is a plain filter.
   */
  async resourceFilter(
    resourceType: string | undefined,
    resourceIdent: string | undefined,
  ): Promise<{ resourceType?: string; resourceUuid?: string }> {
    if (resourceIdent === undefined) return { resourceType };
    const resource = await this.resource(resourceType, resourceIdent);
    return { resourceType: resource.resourceType, resourceUuid: resource.resourceUuid };
  }

  /** `resource_type` defaults to `[api] default_resource_type`; the ident goes through the driver. */
  async resource(resourceType: string | undefined, ident: string): Promise<ResolvedResource> {
    const type = resourceType ?? this.config.api.default_resource_type;
    const driver = this.drivers.get(type);
    return { driver, resourceType: type, resourceUuid: await driver.resolveIdent(ident) };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { BodyOf } from '../common/http/request-body';
import { CLAIM_ATTRIBUTES } from '../leases/dto/lease-body';
import { RequestContext, requireProject } from '../auth/request-context';
import { Clock } from '../common/clock';
import { addDays, minTime, UtcTime } from '../common/time';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { AccessRules } from '../leasing/booking/access-rules';
import { BookingService } from '../leasing/booking/booking.service';
import { LeasesRepository } from '../leasing/data/leases.repository';
import { OfferEntity } from '../leasing/data/offer.entity';
import { LeasePresenter, LeaseView } from '../leasing/views/lease.presenter';

/** A validated claim body. */
export type ClaimInput = BodyOf<typeof CLAIM_ATTRIBUTES>;

/** Claiming an offer: a lease inside its window, by default up to the next lease or the default length. */
@Injectable()
export class OfferClaimService {
  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly access: AccessRules,
    private readonly booking: BookingService,
    private readonly leases: LeasesRepository,
    private readonly presenter: LeasePresenter,
  ) {}

  async claim(ctx: RequestContext, offer: OfferEntity, input: ClaimInput): Promise<LeaseView> {
    const projectId = requireProject(ctx);
    const start = input.start_time ?? this.clock.now();
    let end: UtcTime;
    if (input.end_time === undefined) {
      // Up to the default length, or to the next lease of the offer, or the offer's end.
      const next = await this.leases.nextStartInOffer(offer.uuid, start);
      end = minTime(addDays(start, this.config.api.default_lease_time), next ?? offer.endTime);
    } else {
      end = input.end_time;
      this.access.assertLeaseLength(ctx.creds, start, end);
    }
    const lease = await this.booking.createLease({
      name: input.name ?? null,
      projectId,
      ownerId: offer.projectId,
      purpose: input.purpose ?? null,
      resourceType: offer.resourceType,
      resourceUuid: offer.resourceUuid,
      start,
      end,
      properties: input.properties ?? {},
      offerUuid: offer.uuid,
      parentLeaseUuid: offer.parentLeaseUuid,
      requester: this.access.bookingRequester(ctx.creds),
    });
    return this.presenter.one(lease);
  }
}

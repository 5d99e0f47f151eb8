import { Injectable } from '@nestjs/common';
import { BodyOf } from '../common/http/request-body';
import { OFFER_ATTRIBUTES } from './dto/offer-body';
import { RequestContext, requireProject } from '../auth/request-context';
import { Clock } from '../common/clock';
import { InvalidTimeRange } from '../common/errors/esi-leap.exceptions';
import { FOREVER } from '../common/time';
import { AccessRules } from '../leasing/booking/access-rules';
import { BookingService } from '../leasing/booking/booking.service';
import { IdentResolver } from '../leasing/data/ident-resolver';
import { OfferEntity } from '../leasing/data/offer.entity';
import { LeaseLifecycle } from '../leasing/lifecycle/lease-lifecycle';
import { OfferPresenter, OfferView } from '../leasing/views/offer.presenter';
import { ProjectDirectory } from '../projects/project-directory';

/** A validated `POST /v1/offers` body. */
export type NewOfferInput = BodyOf<typeof OFFER_ATTRIBUTES>;

/** Publishing and withdrawing offers, in upstream's order of checks. */
@Injectable()
export class OffersService {
  constructor(
    private readonly clock: Clock,
    private readonly resolver: IdentResolver,
    private readonly access: AccessRules,
    private readonly projects: ProjectDirectory,
    private readonly booking: BookingService,
    private readonly lifecycle: LeaseLifecycle,
    private readonly presenter: OfferPresenter,
  ) {}

  async create(ctx: RequestContext, input: NewOfferInput): Promise<OfferView> {
    const { driver, resourceType, resourceUuid } = await this.resolver.resource(
      input.resource_type,
      input.resource_uuid,
    );
    const lesseeId = input.lessee_id === undefined ? null : await this.projects.resolve(input.lessee_id);
    const node = await this.access.existingResource(driver, resourceUuid);
    const grant = await this.access.grantOnResource(ctx.creds, driver, node);
    // After the node's ownership, as upstream: a caller without a project who does not own the
    // node is refused for that, not for the missing project.
    const projectId = requireProject(ctx);

    const parent = grant.kind === 'sublease' ? grant.parent : null;
    const start = input.start_time ?? this.clock.now();
    const end = input.end_time ?? parent?.endTime ?? FOREVER;
    if (start >= end) throw new InvalidTimeRange({ resource: 'an offer', start_time: start, end_time: end });
    if (parent) this.access.assertInsideParent(resourceType, resourceUuid, parent, start, end);

    const offer = await this.booking.createOffer({
      name: input.name ?? null,
      projectId,
      lesseeId,
      resourceType,
      resourceUuid,
      start,
      end,
      properties: input.properties ?? {},
      parentLeaseUuid: parent?.uuid ?? null,
    });
    return this.presenter.one(offer);
  }

  /** Withdraws an offer; the leases claimed from it are cancelled with it. */
  async delete(offer: OfferEntity): Promise<void> {
    await this.lifecycle.cancelOffer(offer.uuid);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { BodyOf } from '../common/http/request-body';
import { LEASE_ATTRIBUTES } from './dto/lease-body';
import { parseEndTimePatch } from './dto/lease-patch';
import { RequestContext, requireProject } from '../auth/request-context';
import { Clock } from '../common/clock';
import { HTTPResourceForbidden } from '../common/errors/esi-leap.exceptions';
import { addDays, UtcTime } from '../common/time';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { AccessRules } from '../leasing/booking/access-rules';
import { BookingService } from '../leasing/booking/booking.service';
import { IdentResolver } from '../leasing/data/ident-resolver';
import { LeaseEntity } from '../leasing/data/lease.entity';
import { EventRecorder } from '../leasing/lifecycle/event-recorder';
import { LeaseLifecycle } from '../leasing/lifecycle/lease-lifecycle';
import { LeaseToUpdate } from '../lease-policy/self-service/lease-update-target';
import { LeasePresenter, LeaseView } from '../leasing/views/lease.presenter';
import { ProjectDirectory } from '../projects/project-directory';

/** A validated `POST /v1/leases` body. */
export type NewLeaseInput = BodyOf<typeof LEASE_ATTRIBUTES>;

/** Creating, changing and cancelling leases, in upstream's order of checks. */
@Injectable()
export class LeasesService {
  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly resolver: IdentResolver,
    private readonly access: AccessRules,
    private readonly projects: ProjectDirectory,
    private readonly booking: BookingService,
    private readonly lifecycle: LeaseLifecycle,
    private readonly events: EventRecorder,
    private readonly presenter: LeasePresenter,
  ) {}

  /** A lease on a resource the caller's project owns, or a sub-lease inside the caller's lease of it. */
  async create(ctx: RequestContext, input: NewLeaseInput): Promise<LeaseView> {
    const { driver, resourceType, resourceUuid } = await this.resolver.resource(
      input.resource_type,
      input.resource_uuid,
    );
    const projectId = await this.projects.resolve(input.project_id);
    const start = input.start_time ?? this.clock.now();
    if (input.end_time !== undefined) this.access.assertLeaseLength(ctx.creds, start, input.end_time);
    const node = await this.access.existingResource(driver, resourceUuid);
    const grant = await this.access.grantOnResource(ctx.creds, driver, node);
    // After the node's ownership, as upstream (see OffersService.create).
    const ownerId = requireProject(ctx);

    const parent = grant.kind === 'sublease' ? grant.parent : null;
    const end = input.end_time ?? parent?.endTime ?? addDays(start, this.config.api.default_lease_time);
    if (parent) this.access.assertInsideParent(resourceType, resourceUuid, parent, start, end);

    const lease = await this.booking.createLease({
      name: input.name ?? null,
      projectId,
      ownerId,
      purpose: input.purpose ?? null,
      resourceType,
      resourceUuid,
      start,
      end,
      properties: input.properties ?? {},
      offerUuid: null,
      parentLeaseUuid: parent?.uuid ?? null,
      requester: this.access.bookingRequester(ctx.creds),
    });
    return this.presenter.one(lease);
  }

  /**
   * A new end_time. Every change is an event, `esi_leap.lease.update.end`, whose payload is the
   * lease with its new end. A caller who may only extend (`grant: 'extend'`) gets today's 403
   * for anything but a later end, and the lease limits apply to it.
   */
  async updateEndTime(ctx: RequestContext, { lease, grant }: LeaseToUpdate, patch: unknown): Promise<LeaseView> {
    const denied = () => new HTTPResourceForbidden({ resource_type: 'lease', resource: lease.uuid });
    let newEnd: UtcTime;
    try {
      newEnd = parseEndTimePatch(patch);
    } catch (err) {
      throw grant === 'extend' ? denied() : err;
    }
    const updated = await this.booking.changeLeaseEnd(lease.uuid, lease, newEnd, {
      requester: {
        userId: ctx.creds.user_id,
        projectId: ctx.creds.project_id,
        boundByLimits: grant === 'extend',
      },
      onlyLater: grant === 'extend' ? denied : undefined,
      record: (em, changed, now) =>
        this.events.record(
          em,
          changed.map((lease) => ({ type: 'esi_leap.lease.update.end', lease })),
          now,
        ),
    });
    return this.presenter.one(updated);
  }

  /** Cancels the lease and everything booked inside it. */
  async cancel(lease: LeaseEntity): Promise<void> {
    await this.lifecycle.cancelLease(lease.uuid);
  }
}

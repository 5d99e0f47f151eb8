import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { RequestContext } from '../auth/request-context';
import { Clock } from '../common/clock';
import { Listed } from '../common/entity-rows';
import { keysetPages } from '../common/keyset-pages';
import {
  HTTPResourceForbidden,
  InvalidAvailabilityAPICommand,
  InvalidTimeAPICommand,
  InvalidTimeRange,
} from '../common/errors/esi-leap.exceptions';
import { LeaseStatus, OFFER_CAN_DELETE, OFFER_DEFAULT_LIST, OfferStatus } from '../leasing/data/statuses';
import { addDays, FOREVER, minTime, UtcTime } from '../common/time';
import { TransactionRunner } from '../db/transaction-runner';
import { AccessRules } from '../leasing/booking/access-rules';
import { AvailabilityChecks } from '../leasing/booking/availability-checks';
import { IdentResolver } from '../leasing/data/ident-resolver';
import { LeaseScheduleNotifier } from '../leasing/lifecycle/lease-schedule.notifier';
import { LeaseTransitions } from '../leasing/lifecycle/lease-transitions';
import { LeasePresenter, LeaseView } from '../leasing/views/lease.presenter';
import { LeasesRepository } from '../leasing/data/leases.repository';
import { offerPolicyTarget } from '../policy/policy-targets';
import { PolicyService } from '../policy/policy.service';
import { ProjectDirectory } from '../projects/project-directory';
import { bothOrNeither, requireProject, statusFilter, withResourceClass } from '../leasing/query-rules';
import { OfferEntity } from '../leasing/data/offer.entity';
import { OfferPresenter, OfferView } from '../leasing/views/offer.presenter';
import { OffersRepository } from '../leasing/data/offers.repository';

/**
 * Offers per page of `GET /v1/offers` (one statement for the rows, one for their busy
 * intervals): one owner's list usually fits in one page, a whole-table list holds 2,000 offers.
 */
export const OFFER_LIST_PAGE = 2000;

export interface OfferListQuery {
  project_id?: string;
  resource_type?: string;
  resource_uuid?: string;
  resource_class?: string;
  start_time?: UtcTime;
  end_time?: UtcTime;
  available_start_time?: UtcTime;
  available_end_time?: UtcTime;
  status?: string;
}

export interface NewOfferInput {
  name?: string;
  lessee_id?: string;
  resource_type?: string;
  resource_uuid: string;
  start_time?: UtcTime;
  end_time?: UtcTime;
  properties?: Record<string, unknown>;
}

export interface ClaimInput {
  name?: string;
  start_time?: UtcTime;
  end_time?: UtcTime;
  properties?: Record<string, unknown>;
  purpose?: string;
}

/** The offer use cases of api.md 3.2, in upstream's order of checks. */
@Injectable()
export class OffersService {
  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly tx: TransactionRunner,
    private readonly offers: OffersRepository,
    private readonly leases: LeasesRepository,
    private readonly resolver: IdentResolver,
    private readonly access: AccessRules,
    private readonly policy: PolicyService,
    private readonly projects: ProjectDirectory,
    private readonly availability: AvailabilityChecks,
    private readonly transitions: LeaseTransitions,
    private readonly schedule: LeaseScheduleNotifier,
    private readonly presenter: OfferPresenter,
    private readonly leasePresenter: LeasePresenter,
  ) {}

  /**
   * The offers in id order, read OFFER_LIST_PAGE rows at a time by keyset while the response
   * is written (PagedJsonList), each page with its own busy intervals, so a whole-table list
   * holds one page of entities. The first page is read and decorated before anything is sent,
   * so that a failure answers with the usual fault body. Pages are separate statements, as
   * for leases (LeasesService.list, docs/operations.md "Large lists").
   */
  async list(ctx: RequestContext, query: OfferListQuery): Promise<AsyncIterable<Iterable<OfferView>>> {
    const projectId = query.project_id === undefined ? undefined : await this.projects.resolve(query.project_id);
    const { resourceType, resourceUuid } = await this.resolver.resourceFilter(query.resource_type, query.resource_uuid);
    const covering = bothOrNeither(query.start_time, query.end_time, (start, end) => {
      throw new InvalidTimeAPICommand({ resource: 'an offer', start_time: start, end_time: end });
    });
    const free = bothOrNeither(query.available_start_time, query.available_end_time, (start, end) => {
      throw new InvalidAvailabilityAPICommand({ a_start: start, a_end: end });
    });
    const caller = ctx.creds.project_id;
    const visibleTo = this.access.isOfferAdmin(ctx.creds)
      ? undefined
      : { projectId: caller ?? '', ancestry: caller ? await this.projects.ancestry(caller) : [] };

    const filter = { projectId, resourceType, resourceUuid, statuses: statusFilter(query.status, OFFER_DEFAULT_LIST), covering, visibleTo };
    // One "now" for the whole list, however long its client takes to read it.
    const now = this.clock.now();
    const present = async (page: readonly Listed<OfferEntity>[], afterId: number): Promise<Iterable<OfferView>> => {
      let offers = page;
      if (free) {
        const inside = offers.filter((o) => free.start >= o.startTime && free.end <= o.endTime);
        const taken = await this.leases.offersBusyDuring(inside.map((o) => o.uuid), free.start, free.end);
        offers = inside.filter((o) => !taken.has(o.uuid));
      }
      if (offers.length === 0) return [];
      // After the page, not alongside it: on a small host the database's two threads and the
      // parsing of the first result fought for the cores, and the list's p99 doubled
      // (docs/performance.md, "Causes found").
      const busy = await this.offers.busyIntervalsForPage(filter, { after: afterId, upTo: page[page.length - 1].id }, now);
      const views = await this.presenter.many(offers, busy, now);
      return query.resource_class === undefined ? views : withResourceClass(views, query.resource_class);
    };
    return keysetPages(OFFER_LIST_PAGE, (afterId, limit) => this.offers.listPage(filter, afterId, limit), present);
  }

  async show(ctx: RequestContext, ident: string): Promise<OfferView> {
    const now = this.clock.now();
    const { offer, busy } = await this.resolver.offerWithBusyIntervals(ident, now);
    this.authorizeOn('esi_leap:offer:get', ctx, offer);
    await this.access.assertOfferLessee(ctx.creds, offer);
    return this.presenter.one(offer, busy && { busy, now });
  }

  async create(ctx: RequestContext, input: NewOfferInput): Promise<OfferView> {
    const projectId = requireProject(ctx);
    const { driver, resourceType, resourceUuid } = await this.resolver.resource(input.resource_type, input.resource_uuid);
    const lesseeId = input.lessee_id === undefined ? null : await this.projects.resolve(input.lessee_id);
    const node = await this.access.existingResource(driver, resourceUuid);
    const grant = await this.access.grantOnResource(ctx.creds, driver, node);

    const parent = grant.kind === 'sublease' ? grant.parent : null;
    const start = input.start_time ?? this.clock.now();
    const end = input.end_time ?? parent?.endTime ?? FOREVER;
    if (start >= end) throw new InvalidTimeRange({ resource: 'an offer', start_time: start, end_time: end });
    if (parent) this.access.assertInsideParent(resourceType, resourceUuid, parent, start, end);

    const offer = await this.tx.run(async (em) => {
      await this.tx.lockResource(em, resourceType, resourceUuid);
      if (parent) {
        await this.availability.assertFreeUnderParent(em, parent.uuid, start, end);
      } else {
        await this.availability.assertResourceFree(em, resourceType, resourceUuid, start, end);
      }
      return this.offers.insert(em, {
        uuid: randomUUID(),
        name: input.name ?? null,
        projectId,
        lesseeId,
        resourceType,
        resourceUuid,
        startTime: start,
        endTime: end,
        status: OfferStatus.AVAILABLE,
        properties: input.properties ?? {},
        parentLeaseUuid: parent?.uuid ?? null,
        createdAt: this.clock.now(),
      });
    });
    return this.presenter.one(offer);
  }

  async delete(ctx: RequestContext, ident: string): Promise<void> {
    const offer = await this.resolver.offer(ident, OFFER_CAN_DELETE);
    this.authorizeOn('esi_leap:offer:delete', ctx, offer);
    await this.transitions.cancelOffer(offer);
  }

  async claim(ctx: RequestContext, ident: string, input: ClaimInput): Promise<LeaseView> {
    const offer = await this.resolver.offer(ident, [OfferStatus.AVAILABLE]);
    this.authorizeOn('esi_leap:offer:claim', ctx, offer);
    await this.access.assertOfferLessee(ctx.creds, offer);
    const projectId = requireProject(ctx);

    const start = input.start_time ?? this.clock.now();
    let end: UtcTime;
    if (input.end_time === undefined) {
      const next = await this.leases.nextStartInOffer(offer.uuid, start);
      end = minTime(addDays(start, this.config.api.default_lease_time), next ?? offer.endTime);
    } else {
      end = input.end_time;
      this.access.assertLeaseLength(ctx.creds, start, end);
    }

    const lease = await this.tx.run(async (em) => {
      await this.tx.lockResource(em, offer.resourceType, offer.resourceUuid);
      if (start >= end) throw new InvalidTimeRange({ resource: 'lease', start_time: start, end_time: end });
      await this.availability.assertFreeInOffer(em, offer.uuid, start, end);
      return this.leases.insert(em, {
        uuid: randomUUID(),
        name: input.name ?? null,
        projectId,
        ownerId: offer.projectId,
        purpose: input.purpose ?? null,
        resourceType: offer.resourceType,
        resourceUuid: offer.resourceUuid,
        startTime: start,
        endTime: end,
        fulfillTime: null,
        expireTime: null,
        status: LeaseStatus.CREATED,
        properties: input.properties ?? {},
        offerUuid: offer.uuid,
        parentLeaseUuid: offer.parentLeaseUuid,
        createdAt: this.clock.now(),
      });
    });
    this.schedule.notify();
    return this.leasePresenter.one(lease);
  }

  private authorizeOn(rule: string, ctx: RequestContext, offer: OfferEntity): void {
    if (!this.policy.enforce(rule, ctx.creds, offerPolicyTarget(ctx.creds, offer))) {
      throw new HTTPResourceForbidden({ resource_type: 'offer', resource: offer.uuid });
    }
  }
}

import { Injectable } from '@nestjs/common';
import { RequestContext } from '../auth/request-context';
import { Clock } from '../common/clock';
import { Listed } from '../common/entity-rows';
import { InvalidAvailabilityAPICommand, InvalidTimeAPICommand } from '../common/errors/esi-leap.exceptions';
import {
  bothOrNeither,
  listConstraints,
  statusFilter,
  withConstraints,
  withResourceClass,
} from '../common/http/list-filters';
import { markerRowId, PageRequest, readSize } from '../common/http/list-paging';
import { keysetPages } from '../common/keyset-pages';
import { UtcTime } from '../common/time';
import { AccessRules } from '../leasing/booking/access-rules';
import { BusyIntervalsRepository, overlapsAny } from '../leasing/data/busy-intervals.repository';
import { IdentResolver } from '../leasing/data/ident-resolver';
import { OfferEntity } from '../leasing/data/offer.entity';
import { OfferListFilter, OffersRepository } from '../leasing/data/offers.repository';
import { OFFER_DEFAULT_LIST, OfferStatus } from '../leasing/data/statuses';
import { OfferPresenter, OfferView } from '../leasing/views/offer.presenter';
import { NodeHealth, nodeKey } from '../leasing/health/node-health';
import { ProjectDirectory } from '../projects/project-directory';
import { TargetOffer } from './offer-policy-target';

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
  constraint?: string[];
}

/** Reading offers: the list and one offer. */
@Injectable()
export class OfferListService {
  constructor(
    private readonly clock: Clock,
    private readonly offers: OffersRepository,
    private readonly busyIntervals: BusyIntervalsRepository,
    private readonly resolver: IdentResolver,
    private readonly access: AccessRules,
    private readonly projects: ProjectDirectory,
    private readonly presenter: OfferPresenter,
    private readonly health: NodeHealth,
  ) {}

  /**
   * The offers in id order, read OFFER_LIST_PAGE rows at a time by keyset while the response
   * is written (PagedJsonList), each page with its own busy intervals, so a whole-table list
   * holds one page of entities. The first page is read and decorated before anything is sent,
   * so that a failure answers with the usual fault body. Pages are separate statements, as
   * for leases (docs/operations.md, "Large lists"). `page`: a paged list starts after its
   * marker's id, whatever that offer's status now is, and reads no more than it needs.
   */
  async list(
    ctx: RequestContext,
    query: OfferListQuery,
    page?: PageRequest,
  ): Promise<AsyncIterable<Iterable<OfferView>>> {
    const constraints = listConstraints(query.constraint);
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

    const filter: OfferListFilter = {
      projectId,
      resourceType,
      resourceUuid,
      statuses: statusFilter(query.status, OFFER_DEFAULT_LIST),
      covering,
      visibleTo,
    };
    // One "now" for the whole list, however long its client takes to read it.
    const now = this.clock.now();
    const present = async (page: readonly Listed<OfferEntity>[]): Promise<Iterable<OfferView>> => {
      let offers = page;
      if (free) {
        const inside = page.filter((o) => free.start >= o.startTime && free.end <= o.endTime);
        const [around, unhealthy] = await Promise.all([
          this.busyIntervals.ofOffers<number>({ ids: inside.map((o) => o.id) }, free.start),
          // Nothing is free on an unhealthy node (docs/node-health.md).
          this.health.unhealthyAmong(inside),
        ]);
        offers = inside.filter(
          (o) => !overlapsAny(around.get(o.id), free.start, free.end) && !unhealthy.has(nodeKey(o)),
        );
      }
      if (offers.length === 0) return [];
      // After the page, not alongside it: on a small host the database's two threads and the
      // parsing of the first result fought for the cores, and the list's p99 doubled
      // (docs/performance.md, "Causes found").
      const available = offers.filter((o) => o.status === OfferStatus.AVAILABLE).map((o) => o.id);
      const busy = await this.busyIntervals.ofOffers<number>({ ids: available }, now);
      const views = await this.presenter.many(offers, busy, now);
      const ofClass = query.resource_class === undefined ? views : withResourceClass(views, query.resource_class);
      return constraints ? withConstraints(ofClass, constraints, (view) => view.resource_properties) : ofClass;
    };
    return keysetPages(
      readSize(page, OFFER_LIST_PAGE),
      (afterId, limit) => this.offers.listPage(filter, afterId, limit),
      present,
      await markerRowId(page, (uuid) => this.offers.findByUuid(uuid)),
    );
  }

  async show(target: TargetOffer): Promise<OfferView> {
    const known = target.busy;
    return this.presenter.one(target.offer, known && { busy: known.intervals, now: known.now, healthy: known.nodeProblem === null });
  }
}

import { Injectable } from '@nestjs/common';
import { RequestContext } from '../auth/request-context';
import { Listed } from '../common/entity-rows';
import { HTTPForbidden, InvalidTimeAPICommand } from '../common/errors/esi-leap.exceptions';
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
import { IdentResolver } from '../leasing/data/ident-resolver';
import { LeaseEntity } from '../leasing/data/lease.entity';
import { LeaseListFilter, LeasesRepository } from '../leasing/data/leases.repository';
import { LEASE_DEFAULT_LIST } from '../leasing/data/statuses';
import { LeasePresenter, LeaseView } from '../leasing/views/lease.presenter';
import { ProjectDirectory } from '../projects/project-directory';

export interface LeaseListQuery {
  project_id?: string;
  owner_id?: string;
  start_time?: UtcTime;
  end_time?: UtcTime;
  status?: string;
  offer_uuid?: string;
  view?: string;
  resource_type?: string;
  resource_uuid?: string;
  resource_class?: string;
  purpose?: string;
  constraint?: string[];
}

/** Leases read per statement by `GET /v1/leases` (about 0.5–1 MB of entities and views). */
export const LEASE_LIST_PAGE = 500;

/** Reading leases: the list and one lease. */
@Injectable()
export class LeaseListService {
  constructor(
    private readonly leases: LeasesRepository,
    private readonly resolver: IdentResolver,
    private readonly access: AccessRules,
    private readonly projects: ProjectDirectory,
    private readonly presenter: LeasePresenter,
  ) {}

  /**
   * The leases in id order, read LEASE_LIST_PAGE rows at a time by keyset while the response
   * is written (PagedJsonList), so a whole-table list holds one page of entities, not all of
   * them. The first page is read and decorated here, before anything is sent, so that a
   * failure answers with the usual fault body; a short list is read in full here.
   *
   * The pages are separate statements, not one read-only transaction: a snapshot would hold a
   * pooled MySQL connection (on SQLite, the one connection every request shares) for as long
   * as the slowest client takes to read tens of megabytes. Without it each lease is listed at
   * most once and in id order, and a lease whose status changes mid-list is shown as it was
   * when its page was read; one created meanwhile shows at the end if its page is still to be
   * read (docs/operations.md, "Large lists"). `page`: a paged list starts after its marker's
   * id, whatever that lease's status now is, and reads no more than it needs.
   */
  async list(
    ctx: RequestContext,
    query: LeaseListQuery,
    page?: PageRequest,
  ): Promise<AsyncIterable<Iterable<LeaseView>>> {
    const constraints = listConstraints(query.constraint);
    const projectId = query.project_id === undefined ? undefined : await this.projects.resolve(query.project_id);
    const ownerId = query.owner_id === undefined ? undefined : await this.projects.resolve(query.owner_id);
    const { resourceType, resourceUuid } = await this.resolver.resourceFilter(query.resource_type, query.resource_uuid);
    const scope = this.listScope(ctx, query.view, projectId, ownerId);
    const window = bothOrNeither(query.start_time, query.end_time, (start, end) => {
      throw new InvalidTimeAPICommand({ resource: 'a lease', start_time: start, end_time: end });
    });
    const filter: LeaseListFilter = {
      ...scope,
      statuses: statusFilter(query.status, LEASE_DEFAULT_LIST),
      offerUuid: query.offer_uuid,
      resourceType,
      resourceUuid,
      purpose: query.purpose,
      intersecting: window,
    };
    const renderPage = await this.presenter.pageRenderer();
    const present = async (rows: readonly Listed<LeaseEntity>[]) => {
      const views = await renderPage(rows);
      const ofClass = query.resource_class === undefined ? views : withResourceClass(views, query.resource_class);
      return constraints ? withConstraints(ofClass, constraints, (view) => view.resource_properties) : ofClass;
    };
    return keysetPages(
      readSize(page, LEASE_LIST_PAGE),
      (afterId, limit) => this.leases.listPage(filter, afterId, limit),
      present,
      await markerRowId(page, (uuid) => this.leases.findByUuid(uuid)),
    );
  }

  /**
   * Which leases the list may show: with `view=all` (checked by the route's rule) any; another
   * project's as lessee or owner only for lease admins; otherwise the caller's own, as lessee
   * or owner. A caller without a project (a domain- or system-scoped token, or noauth headers
   * with roles but no project) has no leases of its own, so it sees none.
   */
  private listScope(
    ctx: RequestContext,
    view: string | undefined,
    projectId: string | undefined,
    ownerId: string | undefined,
  ): Pick<LeaseListFilter, 'projectId' | 'ownerId' | 'projectOrOwnerId'> {
    if (view === 'all') return { projectId, ownerId };
    const caller = ctx.creds.project_id;
    const requireLeaseAdmin = () => {
      if (!this.access.isLeaseAdmin(ctx.creds)) throw new HTTPForbidden({ rule: 'esi_leap:lease:lease_admin' });
    };
    if (ownerId !== undefined) {
      if (ownerId !== caller) requireLeaseAdmin();
      return { ownerId, projectId };
    }
    if (projectId !== undefined) {
      if (projectId !== caller) requireLeaseAdmin();
      return { projectId };
    }
    return { projectOrOwnerId: caller ?? NO_PROJECT };
  }

  show(lease: LeaseEntity): Promise<LeaseView> {
    return this.presenter.one(lease);
  }
}

/** Matches no row: project ids are never empty. */
const NO_PROJECT = '';

import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { RequestContext } from '../auth/request-context';
import { Clock } from '../common/clock';
import { Listed } from '../common/entity-rows';
import { keysetPages } from '../common/keyset-pages';
import {
  ClientError,
  HTTPForbidden,
  HTTPResourceForbidden,
  InvalidTimeAPICommand,
  InvalidTimeRange,
  LeaseInvalidPatch,
} from '../common/errors/esi-leap.exceptions';
import { pyRepr, pyTypeName } from '../common/http/python-repr';
import { LEASE_CAN_DELETE, LEASE_DEFAULT_LIST, LeaseStatus } from '../leasing/data/statuses';
import { addDays, parseStrictPatchTime, UtcTime } from '../common/time';
import { TransactionRunner } from '../db/transaction-runner';
import { AccessRules } from '../leasing/booking/access-rules';
import { AvailabilityChecks } from '../leasing/booking/availability-checks';
import { IdentResolver } from '../leasing/data/ident-resolver';
import { LeaseScheduleNotifier } from '../leasing/lifecycle/lease-schedule.notifier';
import { LeaseTransitions } from '../leasing/lifecycle/lease-transitions';
import { bothOrNeither, requireProject, statusFilter, withResourceClass } from '../leasing/query-rules';
import { leasePolicyTarget } from '../policy/policy-targets';
import { PolicyService } from '../policy/policy.service';
import { ProjectDirectory } from '../projects/project-directory';
import { LeaseEntity } from '../leasing/data/lease.entity';
import { LeasePresenter, LeaseView } from '../leasing/views/lease.presenter';
import { LeaseListFilter, LeasesRepository } from '../leasing/data/leases.repository';

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
}

export interface NewLeaseInput {
  name?: string;
  project_id: string;
  resource_type?: string;
  resource_uuid: string;
  start_time?: UtcTime;
  end_time?: UtcTime;
  properties?: Record<string, unknown>;
  purpose?: string;
}

const PATCH_FORMAT = '%Y-%m-%dT%H:%M:%S';

/** Leases read per statement by `GET /v1/leases` (about 0.5–1 MB of entities and views). */
export const LEASE_LIST_PAGE = 500;

/** The lease use cases of api.md 3.3, in upstream's order of checks. */
@Injectable()
export class LeasesService {
  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly tx: TransactionRunner,
    private readonly leases: LeasesRepository,
    private readonly resolver: IdentResolver,
    private readonly access: AccessRules,
    private readonly policy: PolicyService,
    private readonly projects: ProjectDirectory,
    private readonly availability: AvailabilityChecks,
    private readonly transitions: LeaseTransitions,
    private readonly schedule: LeaseScheduleNotifier,
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
   * read (docs/operations.md, "Large lists").
   */
  async list(ctx: RequestContext, query: LeaseListQuery): Promise<AsyncIterable<Iterable<LeaseView>>> {
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
    const present = async (page: readonly Listed<LeaseEntity>[]) => {
      const views = await renderPage(page);
      return query.resource_class === undefined ? views : withResourceClass(views, query.resource_class);
    };
    return keysetPages(LEASE_LIST_PAGE, (afterId, limit) => this.leases.listPage(filter, afterId, limit), present);
  }

  /** Authorisation and project scope of `GET /v1/leases` (api.md 3.3.1 step 4). */
  private listScope(
    ctx: RequestContext,
    view: string | undefined,
    projectId: string | undefined,
    ownerId: string | undefined,
  ): Pick<LeaseListFilter, 'projectId' | 'ownerId' | 'projectOrOwnerId'> {
    const requireLeaseAdmin = () => {
      if (!this.access.isLeaseAdmin(ctx.creds)) throw new HTTPForbidden({ rule: 'esi_leap:lease:lease_admin' });
    };
    if (view === 'all') {
      requireLeaseAdmin();
      return { projectId, ownerId };
    }
    if (!this.policy.enforce('esi_leap:lease:get_all', ctx.creds)) {
      throw new HTTPForbidden({ rule: 'esi_leap:lease:get_all' });
    }
    const caller = ctx.creds.project_id;
    if (ownerId !== undefined) {
      if (ownerId !== caller) requireLeaseAdmin();
      return { ownerId, projectId };
    }
    if (projectId !== undefined) {
      if (projectId !== caller) requireLeaseAdmin();
      return { projectId };
    }
    // noauth without a project: no project filter at all (api.md 1.11.3)
    return caller ? { projectOrOwnerId: caller } : {};
  }

  async show(ctx: RequestContext, ident: string): Promise<LeaseView> {
    const lease = await this.resolver.lease(ident);
    this.authorizeOn('esi_leap:lease:get', ctx, lease);
    return this.presenter.one(lease);
  }

  async create(ctx: RequestContext, input: NewLeaseInput): Promise<LeaseView> {
    const ownerId = requireProject(ctx);
    const { driver, resourceType, resourceUuid } = await this.resolver.resource(input.resource_type, input.resource_uuid);
    const projectId = await this.projects.resolve(input.project_id);
    const start = input.start_time ?? this.clock.now();
    if (input.end_time !== undefined) this.access.assertLeaseLength(ctx.creds, start, input.end_time);
    const node = await this.access.existingResource(driver, resourceUuid);
    const grant = await this.access.grantOnResource(ctx.creds, driver, node);

    const parent = grant.kind === 'sublease' ? grant.parent : null;
    const end = input.end_time ?? parent?.endTime ?? addDays(start, this.config.api.default_lease_time);
    if (parent) this.access.assertInsideParent(resourceType, resourceUuid, parent, start, end);

    const lease = await this.tx.run(async (em) => {
      await this.tx.lockResource(em, resourceType, resourceUuid);
      if (start >= end) throw new InvalidTimeRange({ resource: 'lease', start_time: start, end_time: end });
      if (parent) {
        await this.availability.assertFreeUnderParent(em, parent.uuid, start, end);
      } else {
        await this.availability.assertResourceFree(em, resourceType, resourceUuid, start, end);
      }
      return this.leases.insert(em, {
        uuid: randomUUID(),
        name: input.name ?? null,
        projectId,
        ownerId,
        purpose: input.purpose ?? null,
        resourceType,
        resourceUuid,
        startTime: start,
        endTime: end,
        fulfillTime: null,
        expireTime: null,
        status: LeaseStatus.CREATED,
        properties: input.properties ?? {},
        offerUuid: null,
        parentLeaseUuid: parent?.uuid ?? null,
        createdAt: this.clock.now(),
      });
    });
    this.schedule.notify();
    return this.presenter.one(lease);
  }

  async updateEndTime(ctx: RequestContext, ident: string, patch: unknown): Promise<LeaseView> {
    const lease = await this.resolver.lease(ident);
    this.authorizeOn('esi_leap:lease:update', ctx, lease);
    const newEnd = parsePatch(patch);

    const updated = await this.tx.run(async (em) => {
      await this.tx.lockResource(em, lease.resourceType, lease.resourceUuid);
      const current = (await this.leases.findByUuid(lease.uuid, em)) ?? lease;
      if (current.startTime >= newEnd) {
        throw new InvalidTimeRange({ resource: 'lease', start_time: current.startTime, end_time: newEnd });
      }
      if (newEnd > current.endTime) await this.assertExtensionFree(em, current, newEnd);
      await this.leases.setEndTime(em, current.uuid, newEnd, this.clock.now());
      return { ...current, endTime: newEnd };
    });
    this.schedule.notify();
    return this.presenter.one(updated);
  }

  /** The added window `[old_end, new_end)` is checked exactly as at creation (api.md 3.3.4). */
  private async assertExtensionFree(
    em: EntityManager,
    lease: LeaseEntity,
    newEnd: UtcTime,
  ): Promise<void> {
    const from = lease.endTime;
    if (lease.offerUuid) {
      await this.availability.assertFreeInOffer(em, lease.offerUuid, from, newEnd, lease.uuid);
    } else if (lease.parentLeaseUuid) {
      await this.availability.assertFreeUnderParent(em, lease.parentLeaseUuid, from, newEnd, lease.uuid);
    } else {
      await this.availability.assertResourceFree(em, lease.resourceType, lease.resourceUuid, from, newEnd, lease.uuid);
    }
  }

  async cancel(ctx: RequestContext, ident: string): Promise<void> {
    const lease = await this.resolver.lease(ident, LEASE_CAN_DELETE);
    // Upstream checks `lease:get` here, not `lease:delete` (api.md 2.1).
    this.authorizeOn('esi_leap:lease:get', ctx, lease);
    await this.transitions.cancelLease(lease);
  }

  private authorizeOn(rule: string, ctx: RequestContext, lease: LeaseEntity): void {
    if (!this.policy.enforce(rule, ctx.creds, leasePolicyTarget(ctx.creds, lease))) {
      throw new HTTPResourceForbidden({ resource_type: 'lease', resource: lease.uuid });
    }
  }
}

/**
 * The PATCH body (api.md 3.3.4, 1.6.2): an object whose only key is `end_time`, in exactly
 * `%Y-%m-%dT%H:%M:%S`. Every rejection is a client error (decisions.md 1).
 */
function parsePatch(patch: unknown): UtcTime {
  if (patch === undefined || patch === null) throw new LeaseInvalidPatch();
  if (typeof patch !== 'object' || Array.isArray(patch)) {
    throw new ClientError(
      `Invalid input for field/attribute patch. Value: '${pyRepr(patch)}'. Value not a valid dict: ${pyRepr(patch)}`,
    );
  }
  const keys = Object.keys(patch);
  if (keys.length !== 1 || keys[0] !== 'end_time') throw new LeaseInvalidPatch();
  const raw = (patch as { end_time: unknown }).end_time;
  if (typeof raw !== 'string') {
    throw new ClientError(`strptime() argument 1 must be str, not ${pyTypeName(raw)}`);
  }
  const parsed = parseStrictPatchTime(raw);
  if (parsed === null) throw new ClientError(`time data '${raw}' does not match format '${PATCH_FORMAT}'`);
  return parsed;
}

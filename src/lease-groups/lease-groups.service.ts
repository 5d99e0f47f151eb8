import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RequestContext, requireProject } from '../auth/request-context';
import { Clock } from '../common/clock';
import {
  ClientError,
  EsiLeapException,
  HTTPResourceForbidden,
  LeaseGroupContended,
  LeaseGroupEnded,
  LeaseNoTimeAvailabilities,
  LeaseNotActive,
  NodeUnhealthy,
  OfferNoTimeAvailabilities,
  OfferNotAvailable,
  ResourceBusy,
  ResourceTimeConflict,
} from '../common/errors/esi-leap.exceptions';
import { markerRowId, PageRequest } from '../common/http/list-paging';
import { BodyOf } from '../common/http/request-body';
import { addDays, toIso, UtcTime } from '../common/time';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { AccessRules } from '../leasing/booking/access-rules';
import { BookingService, NewLeaseFields } from '../leasing/booking/booking.service';
import { LeaseEntity } from '../leasing/data/lease.entity';
import { LeaseGroupEntity, LeaseGroupStatus } from '../leasing/data/lease-group.entity';
import { LeaseGroupsRepository } from '../leasing/data/lease-groups.repository';
import { LEASE_OCCUPYING } from '../leasing/data/statuses';
import { EventRecorder } from '../leasing/lifecycle/event-recorder';
import { LeaseLifecycle } from '../leasing/lifecycle/lease-lifecycle';
import { CapacityAsk, CapacitySelector, SelectedResource } from '../leasing/selection/capacity-selector';
import { parseEndTimePatch } from '../leases/dto/lease-patch';
import { PolicyService } from '../policy/policy.service';
import { LARGEST_GROUP, LEASE_GROUP_ATTRIBUTES } from './dto/lease-group-body';
import { LeaseGroupPresenter, LeaseGroupView } from './lease-group.presenter';
import { LeaseGroupToUpdate, LeaseGroupWithMembers } from './lease-group-policy-target';

/** A validated `POST /v1/lease_groups` body. */
export type NewLeaseGroupInput = BodyOf<typeof LEASE_GROUP_ATTRIBUTES>;

/**
 * How many times a booking that lost some of its selected resources to concurrent bookings
 * selects again without them before giving up.
 */
export const BOOKING_ATTEMPTS = 4;

/** What a dry run answers: the resources a booking would take now, booking nothing. */
export interface GroupPlanView {
  readonly dry_run: true;
  readonly count: number;
  readonly start_time: string;
  readonly end_time: string;
  readonly resources: readonly { resource_uuid: string; resource: string | null; offer_uuid: string | null }[];
}

/**
 * Lease groups: N leases for one window, booked all or none through the one booking path;
 * their end moved all or none; cancelled through the one lifecycle path.
 */
@Injectable()
export class LeaseGroupsService {
  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly access: AccessRules,
    private readonly policy: PolicyService,
    private readonly selector: CapacitySelector,
    private readonly booking: BookingService,
    private readonly lifecycle: LeaseLifecycle,
    private readonly groups: LeaseGroupsRepository,
    private readonly events: EventRecorder,
    private readonly presenter: LeaseGroupPresenter,
  ) {}

  async create(ctx: RequestContext, input: NewLeaseGroupInput): Promise<LeaseGroupView | GroupPlanView> {
    const { ask, max } = this.askOf(ctx, input);
    return input.dry_run ? this.plan(ask, max) : this.book(ctx, ask, max, input);
  }

  /** What to select: the body's size, source, filters and window, with a claim's defaults. */
  private askOf(ctx: RequestContext, input: NewLeaseGroupInput): { ask: CapacityAsk; max: number } {
    const { min, max } = groupSize(input);
    const source = bookingSource(input.from);
    const projectId = requireProject(ctx);
    // Booking the project's own resources directly is what POST /v1/leases allows.
    if (source === 'owned') this.policy.authorize('esi_leap:lease:create', ctx.creds);
    const start = input.start_time ?? this.clock.now();
    // One window for every member: the default length, as a claim without an end_time has
    // (capped per offer there; here an offer that cannot hold it is simply not selected).
    const end = input.end_time ?? addDays(start, this.config.api.default_lease_time);
    if (input.end_time !== undefined) this.access.assertLeaseLength(ctx.creds, start, end);
    const ask: CapacityAsk = {
      creds: ctx.creds,
      projectId,
      source,
      resourceClass: input.resource_class,
      constraints: input.constraints ?? [],
      start,
      end,
      count: min,
    };
    return { ask, max };
  }

  /** The dry run: what a booking would take now. */
  private async plan(ask: CapacityAsk, max: number): Promise<GroupPlanView> {
    const chosen = (await this.selector.select(ask)).slice(0, max);
    return {
      dry_run: true,
      count: chosen.length,
      start_time: toIso(ask.start),
      end_time: toIso(ask.end),
      resources: chosen.map((r) => ({
        resource_uuid: r.resourceUuid,
        resource: r.resourceName,
        offer_uuid: r.offerUuid,
      })),
    };
  }

  /**
   * Selects and books, all or none; a booking that lost some of its selection to a concurrent
   * one selects again without what it lost, up to BOOKING_ATTEMPTS times.
   */
  private async book(
    ctx: RequestContext,
    ask: CapacityAsk,
    max: number,
    input: NewLeaseGroupInput,
  ): Promise<LeaseGroupView> {
    const lost = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      const chosen = (await this.selector.select(ask, lost)).slice(0, max);
      const members = this.memberFields(ctx, ask, chosen, input);
      let group: LeaseGroupEntity | undefined;
      let leases: LeaseEntity[];
      try {
        leases = await this.booking.createLeases(members, async (em, created, now) => {
          group = await this.groups.insert(
            em,
            {
              uuid: randomUUID(),
              name: input.name ?? null,
              projectId: ask.projectId,
              count: created.length,
              startTime: ask.start,
              endTime: ask.end,
              status: LeaseGroupStatus.ACTIVE,
              constraints: [...ask.constraints],
              createdAt: now,
            },
            created.map((l) => l.uuid),
          );
          await this.events.recordGroup(em, 'esi_leap.lease_group.create.end', group, now);
        });
      } catch (err) {
        if (!isLostRace(err)) throw err;
        if (attempt >= BOOKING_ATTEMPTS) throw new LeaseGroupContended({ count: ask.count, attempts: attempt });
        for (const resource of resourcesNamedBy(err, chosen)) lost.add(resource);
        continue;
      }
      return this.presenter.one(group!, leases);
    }
  }

  /**
   * Each member exactly as a claim of its offer would book it (owned by the offer's project,
   * inside the offer's parent lease, as the selection read them), or as a lease on an owned
   * resource.
   */
  private memberFields(
    ctx: RequestContext,
    ask: CapacityAsk,
    chosen: readonly SelectedResource[],
    input: NewLeaseGroupInput,
  ): NewLeaseFields[] {
    const requester = this.access.bookingRequester(ctx.creds);
    return chosen.map((r) => ({
      name: input.name ?? null,
      projectId: ask.projectId,
      ownerId: r.ownerId,
      purpose: input.purpose ?? null,
      resourceType: r.resourceType,
      resourceUuid: r.resourceUuid,
      start: ask.start,
      end: ask.end,
      properties: input.properties ?? {},
      offerUuid: r.offerUuid,
      parentLeaseUuid: r.parentLeaseUuid,
      requester,
    }));
  }

  /** The caller's project's groups (none without a project); `view=all`: every project's. */
  /** The caller's groups (every project's with `view=all`) in booking order, from after `page.marker`. */
  async list(
    ctx: RequestContext,
    query: { view?: string; status?: string },
    page?: PageRequest,
  ): Promise<LeaseGroupView[]> {
    const afterId = await markerRowId(page, (uuid) => this.groups.findByUuid(uuid));
    const everyProject = query.view === 'all';
    if (!everyProject && !ctx.creds.project_id) return [];
    const groups = await this.groups.list({
      projectId: everyProject ? undefined : ctx.creds.project_id!,
      status: query.status,
      afterId,
      // One more than the page, so the answer knows whether a `next` is due.
      limit: page?.limit === undefined ? undefined : page.limit + 1,
    });
    return this.presenter.many(groups);
  }

  show({ group, members }: LeaseGroupWithMembers): Promise<LeaseGroupView> {
    return this.presenter.one(group, members);
  }

  /**
   * A new end_time for every lease of the group still booked, all or none, each written as a
   * single lease's change is (`esi_leap.lease.update.end`); the group's end moves with them. A
   * caller who may only extend (`lease:extend`, self-service) gets the single lease's 403 for
   * anything but a later end, and the lease limits apply to every member.
   */
  async updateEndTime(ctx: RequestContext, { group, members, grant }: LeaseGroupToUpdate, patch: unknown) {
    const denied = () => new HTTPResourceForbidden({ resource_type: 'lease_group', resource: group.uuid });
    let newEnd: UtcTime;
    try {
      newEnd = parseEndTimePatch(patch);
    } catch (err) {
      throw grant === 'extend' ? denied() : err;
    }
    const live = members.filter((l) => LEASE_OCCUPYING.includes(l.status));
    if (group.status !== LeaseGroupStatus.ACTIVE || live.length === 0) {
      throw new LeaseGroupEnded({ group_uuid: group.uuid });
    }
    await this.booking.changeLeaseEnds(live, newEnd, {
      requester: { userId: ctx.creds.user_id, projectId: ctx.creds.project_id, boundByLimits: grant === 'extend' },
      onlyLater: grant === 'extend' ? denied : undefined,
      record: async (em, changed, now) => {
        await this.events.record(
          em,
          changed.map((lease) => ({ type: 'esi_leap.lease.update.end', lease })),
          now,
        );
        await this.groups.setEndTime(em, group.uuid, newEnd, now);
      },
    });
    return this.presenter.one((await this.groups.findByUuid(group.uuid))!);
  }

  /** Cancels every member and what is booked inside them, decided in one transaction with the group's status. */
  async cancel({ group, members }: LeaseGroupWithMembers): Promise<void> {
    await this.lifecycle.cancelLeases(
      members.map((l) => l.uuid),
      async (em, now) => {
        await this.groups.setStatus(em, group.uuid, LeaseGroupStatus.CANCELLED, now);
        await this.events.recordGroup(em, 'esi_leap.lease_group.delete.end', group, now);
      },
    );
  }
}

/** `count`, or `min_count`/`max_count` (each defaulting to the other, `min_count` to 1). */
function groupSize(input: NewLeaseGroupInput): { min: number; max: number } {
  const { count } = input;
  if (count !== undefined && (input.min_count !== undefined || input.max_count !== undefined)) {
    throw new ClientError('Invalid input for field/attribute count. Give count, or min_count and max_count, not both');
  }
  if (count === undefined && input.min_count === undefined && input.max_count === undefined) {
    throw new ClientError("Invalid input for field/attribute count. Value: 'None'. Mandatory field missing.");
  }
  const min = count ?? input.min_count ?? 1;
  const max = count ?? input.max_count ?? min;
  const field = count !== undefined ? 'count' : input.min_count !== undefined ? 'min_count' : 'max_count';
  for (const [name, value] of [
    [field, min],
    [count !== undefined ? 'count' : 'max_count', max],
  ] as const) {
    if (value < 1 || value > LARGEST_GROUP) {
      throw new ClientError(
        `Invalid input for field/attribute ${name}. Value: '${value}'. Value should be between 1 and ${LARGEST_GROUP}`,
      );
    }
  }
  if (max < min) {
    throw new ClientError(
      `Invalid input for field/attribute max_count. Value: '${max}'. Value should be at least min_count (${min})`,
    );
  }
  return { min, max };
}

function bookingSource(from: string | undefined): CapacityAsk['source'] {
  if (from === undefined || from === 'offers') return 'offers';
  if (from === 'owned') return 'owned';
  throw new ClientError(
    `Invalid input for field/attribute from. Value: '${from}'. Value should be 'offers' or 'owned'`,
  );
}

/**
 * What the booking path answers when a selected resource was taken (or is being taken) by a
 * concurrent booking between the selection and the locks: worth selecting again.
 */
const LOST_RACE = [
  ResourceTimeConflict,
  OfferNoTimeAvailabilities,
  OfferNotAvailable,
  LeaseNoTimeAvailabilities,
  LeaseNotActive,
  NodeUnhealthy,
  ResourceBusy,
];

function isLostRace(err: unknown): err is EsiLeapException {
  return LOST_RACE.some((type) => err instanceof type);
}

/**
 * The selected resources a refusal is about. The booking path's errors name the resource or
 * the offer in their faultstring only; one that names neither (a parent lease) excludes
 * nothing, and the next selection, reading what the winner committed, leaves it out anyway.
 */
function resourcesNamedBy(err: EsiLeapException, chosen: readonly SelectedResource[]): string[] {
  return chosen
    .filter((r) => err.message.includes(r.resourceUuid) || (r.offerUuid !== null && err.message.includes(r.offerUuid)))
    .map((r) => r.resourceUuid);
}

import { Inject, Injectable } from '@nestjs/common';
import { RequestContext } from '../auth/request-context';
import { Clock } from '../common/clock';
import { PagedJsonList } from '../common/http/json-response';
import { toIso } from '../common/time';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { matchesAllConstraints } from '../constraints/constraint-evaluator';
import { ResourceDriverRegistry } from '../drivers/resource-driver.registry';
import { LEASE_DEFAULT_LIST, LeaseStatus, LeaseStatusName, OfferStatus } from '../leasing/data/statuses';
import { ProjectDirectory } from '../projects/project-directory';
import { TimelineHealth } from './node-health';
import { TimelineBookingsRepository } from './timeline-bookings.repository';
import { defaultWindow, TimelineQuery } from './timeline-query';
import { timelineRows } from './timeline-rows';
import { TimelineVisibility } from './timeline-visibility';

/**
 * Leases drawn: every status the lease list shows by default, plus `expired` so that the past
 * part of a window keeps its history. Cancelled (`deleted`) leases are gone from the timeline.
 */
export const TIMELINE_LEASE_STATUSES: readonly LeaseStatusName[] = [...LEASE_DEFAULT_LIST, LeaseStatus.EXPIRED];

/** Nodes per chunk of the answer: an admin's node with a month of leases is ~6 KB of JSON. */
const TIMELINE_ROWS_PER_CHUNK = 10;

/**
 * `GET /v1/timeline`: the default resource type's inventory as `GET /v1/nodes` lists it (with
 * the caller's token, so the backend decides which nodes the caller sees), filtered by resource
 * class and property constraints, with the offers and leases overlapping the window: one
 * statement for the offers and one for the leases of all listed nodes. The rows are written as
 * a PagedJsonList, a chunk of nodes at a time, so that no string or buffer of the whole answer
 * (6 MB for an admin's month of a large fleet) is ever built.
 */
@Injectable()
export class TimelineService {
  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly drivers: ResourceDriverRegistry,
    private readonly projects: ProjectDirectory,
    private readonly bookings: TimelineBookingsRepository,
    private readonly visibility: TimelineVisibility,
    private readonly health: TimelineHealth,
  ) {}

  async timeline(ctx: RequestContext, query: TimelineQuery): Promise<PagedJsonList> {
    const now = this.clock.now();
    const driver = this.drivers.get(this.config.api.default_resource_type);
    // A chart, refreshed live: a node list as old as list decoration's is recent enough.
    const filters = { resourceClass: query.resourceClass, recentEnough: true };
    const listed = driver.listNodes ? await driver.listNodes(filters, ctx.authToken) : [];
    const nodes =
      query.constraints.length === 0
        ? listed
        : listed.filter((n) => matchesAllConstraints(n.properties, query.constraints));
    const window = query.window ?? defaultWindow(now);
    const resourceUuids = nodes.map((n) => n.uuid);
    const read = {
      resourceType: driver.resourceType,
      resourceUuids,
      ...window,
      offerStatuses: [OfferStatus.AVAILABLE],
      leaseStatuses: TIMELINE_LEASE_STATUSES,
    };
    const [offers, leases, names, viewer, health] = await Promise.all([
      this.bookings.offers(read),
      this.bookings.leases(read),
      this.projects.names(),
      this.visibility.viewerFor(ctx.creds),
      this.health.healthOf(driver.resourceType, resourceUuids),
    ]);
    const callerProject = ctx.creds.project_id;
    const rows = timelineRows({ nodes, offers, leases, viewer, callerProject, names, health, window, now });
    const head = {
      start_time: toIso(window.start),
      end_time: toIso(window.end),
      now: toIso(now),
      resource_type: driver.resourceType,
      viewer: {
        project_id: callerProject,
        project_name: ctx.projectName ?? (callerProject ? (names.get(callerProject) ?? null) : null),
      },
    };
    return new PagedJsonList('nodes', [rows], { head, rowsPerChunk: TIMELINE_ROWS_PER_CHUNK });
  }
}

import { maxTime, minTime, toIso, UtcTime } from '../common/time';
import { InventoryNode } from '../drivers/resource-driver';
import { LEASE_OCCUPYING, OfferStatus } from '../leasing/data/statuses';
import { offerAvailabilities, Window } from '../leasing/views/offer-availabilities';
import { NodeHealth } from './node-health';
import { TimelineLease, TimelineOffer } from './timeline-bookings.repository';
import { TimelineViewer } from './timeline-visibility';

export interface TimelineRowsInput {
  readonly nodes: readonly InventoryNode[];
  readonly offers: readonly TimelineOffer[];
  readonly leases: readonly TimelineLease[];
  readonly viewer: TimelineViewer;
  /** The caller's project (null: none, so it owns nothing and holds nothing). */
  readonly callerProject: string | null;
  readonly names: ReadonlyMap<string, string>;
  readonly health: ReadonlyMap<string, NodeHealth>;
  readonly window: { readonly start: UtcTime; readonly end: UtcTime };
  readonly now: UtcTime;
}

const OCCUPYING: ReadonlySet<string> = new Set(LEASE_OCCUPYING);

/** A row, rendered only when the answer is serialised (`JSON.stringify` calls `toJSON`). */
export interface TimelineRow {
  toJSON(): Record<string, unknown>;
}

/**
 * One row per node, in the inventory's order: the node, the offers the caller may see in full
 * (with their free windows inside the timeline's window), the leases it may see in full, and
 * every other occupying lease only as a merged anonymous `busy` window. Each row is rendered as
 * the answer is written, one node at a time, so that its objects die young: a month of a large
 * fleet is ~15,000 leases, and rendering them all up front kept them alive through several
 * young-generation collections, which then copied and promoted them all.
 */
export function timelineRows(input: TimelineRowsInput): TimelineRow[] {
  const offersOn = groupByResource(input.offers);
  const leasesOn = groupByResource(input.leases);
  const name = (id: string | null) => (id ? (input.names.get(id) ?? '') : '');
  const render = (node: InventoryNode): Record<string, unknown> => {
    const leases = leasesOn.get(node.uuid) ?? [];
    const shown: TimelineLease[] = [];
    const hidden: Window[] = [];
    for (const lease of leases) {
      if (input.viewer.seesLease(lease)) shown.push(lease);
      else if (OCCUPYING.has(lease.status)) hidden.push([lease.startTime, lease.endTime]);
    }
    const offers = (offersOn.get(node.uuid) ?? []).filter((o) => input.viewer.seesOffer(o));
    const health = input.health.get(node.uuid);
    return {
      uuid: node.uuid,
      name: node.name,
      resource_class: node.resourceClass,
      properties: node.properties,
      owner_id: node.ownerProjectId,
      owner: name(node.ownerProjectId),
      owned: input.callerProject !== null && node.ownerProjectId === input.callerProject,
      health: health ? { healthy: health.healthy, flags: [...health.flags], reason: health.reason ?? null } : null,
      offers: offers.map((o) => renderOffer(o, leases, name, input)),
      leases: shown.map((l) => renderLease(l, name, input.callerProject)),
      busy: mergeWindows(hidden).map(([start, end]) => ({ start_time: toIso(start), end_time: toIso(end) })),
    };
  };
  return input.nodes.map((node) => ({ toJSON: () => render(node) }));
}

function renderOffer(
  offer: TimelineOffer,
  leasesOnNode: readonly TimelineLease[],
  name: (id: string | null) => string,
  input: TimelineRowsInput,
): Record<string, unknown> {
  // The offer's own occupying leases make it busy, as for GET /v1/offers; only those inside the
  // window were read, so the free windows are computed inside the window only.
  const busy = leasesOnNode
    .filter((l) => l.offerUuid === offer.uuid && OCCUPYING.has(l.status))
    .map((l): Window => [l.startTime, l.endTime]);
  const free =
    offer.status === OfferStatus.AVAILABLE
      ? offerAvailabilities(
          maxTime(offer.startTime, input.window.start),
          minTime(offer.endTime, input.window.end),
          busy,
          input.now,
        )
      : [];
  return {
    uuid: offer.uuid,
    name: offer.name,
    project_id: offer.projectId,
    project: name(offer.projectId),
    lessee_id: offer.lesseeId,
    lessee: name(offer.lesseeId),
    start_time: toIso(offer.startTime),
    end_time: toIso(offer.endTime),
    status: offer.status,
    parent_lease_uuid: offer.parentLeaseUuid,
    availabilities: free.map(([start, end]) => [toIso(start), toIso(end)]),
  };
}

function renderLease(
  lease: TimelineLease,
  name: (id: string | null) => string,
  caller: string | null,
): Record<string, unknown> {
  return {
    uuid: lease.uuid,
    name: lease.name,
    project_id: lease.projectId,
    project: name(lease.projectId),
    owner_id: lease.ownerId,
    owner: name(lease.ownerId),
    purpose: lease.purpose,
    start_time: toIso(lease.startTime),
    end_time: toIso(lease.endTime),
    status: lease.status,
    offer_uuid: lease.offerUuid,
    parent_lease_uuid: lease.parentLeaseUuid,
    mine: caller !== null && lease.projectId === caller,
  };
}

/** Overlapping or touching windows merged, in start order: a busy block shows no lease boundaries. */
export function mergeWindows(windows: readonly Window[]): Window[] {
  const sorted = [...windows].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: [UtcTime, UtcTime][] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = maxTime(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** Rows per resource UUID, each list in start order (then by UUID, so the answer is stable). */
function groupByResource<T extends { resourceUuid: string; startTime: UtcTime; uuid: string }>(
  rows: readonly T[],
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.resourceUuid);
    if (group) group.push(row);
    else groups.set(row.resourceUuid, [row]);
  }
  const byStart = (a: T, b: T) =>
    a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;
  for (const group of groups.values()) if (group.length > 1) group.sort(byStart);
  return groups;
}

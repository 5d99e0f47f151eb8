/**
 * The esi-leap exception catalogue (upstream `esi_leap/common/exception.py`). Each class carries the upstream
 * faultstring template verbatim; the HTTP status follows docs/decisions.md, "Statuses and errors" where it departs
 * from upstream (client mistakes are never 5xx). One filter renders them all.
 */
import { formatPyStr } from '../time';

export type MessageArg = string | number | null | undefined | Date | { toString(): string };

function render(value: MessageArg): string {
  if (value === null || value === undefined) return 'None';
  return formatPyStr(value);
}

export class EsiLeapException extends Error {
  readonly status: number = 500;
  /** Machine-readable detail, rendered as additional keys of the error body after the usual three. */
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(message = 'An unknown exception occurred.') {
    super(message);
    this.name = new.target.name;
  }
}

function templated(status: number, template: (args: Record<string, string>) => string) {
  return class extends EsiLeapException {
    override readonly status = status;
    constructor(args: Record<string, MessageArg> = {}) {
      const rendered: Record<string, string> = {};
      for (const [k, v] of Object.entries(args)) rendered[k] = render(v);
      super(template(rendered));
    }
  };
}

export class LeaseExceedMaxTimeRange extends templated(
  403,
  (a) => `Attempted to create lease with an invalid time range. The max time range is ${a.max_time} days.`,
) {}
export class LeaseInvalidPatch extends templated(400, () => 'Only the end_time field may be updated') {}
export class HTTPForbidden extends templated(403, (a) => `Access was denied to ${a.rule}.`) {}
export class HTTPResourceForbidden extends templated(
  403,
  (a) => `Access was denied to ${a.resource_type} ${a.resource}.`,
) {}
export class LeaseDuplicateName extends templated(409, (a) => `Duplicate leases with name ${a.name}.`) {}
export class OfferDuplicateName extends templated(409, (a) => `Duplicate offers with name ${a.name}.`) {}
/** Upstream raises it positionally (faultstring = bare UUID); we send its real message. */
export class LeaseNotActive extends templated(409, (a) => `Lease with name or uuid ${a.lease_id} not active.`) {}
export class LeaseNotFound extends templated(404, (a) => `Lease with name or uuid ${a.lease_id} not found.`) {}
export class OfferNotFound extends templated(404, (a) => `Offer with name or uuid ${a.offer_uuid} not found.`) {}
export class LeaseNoTimeAvailabilities extends templated(
  409,
  (a) => `Lease ${a.lease_uuid} has no availabilities at given time range ${a.start_time}, ${a.end_time}.`,
) {}
export class OfferNoTimeAvailabilities extends templated(
  409,
  (a) => `Offer ${a.offer_uuid} has no availabilities at given time range ${a.start_time}, ${a.end_time}.`,
) {}
export class OfferNotAvailable extends templated(
  409,
  (a) => `Offer ${a.offer_uuid} does not have status "available". Got offer status "${a.status}".`,
) {}
export class ProjectNoSuchName extends templated(400, (a) => `No project named ${a.name}.`) {}
export class ResourceTimeConflict extends templated(
  409,
  (a) => `Time conflict for ${a.resource_type} ${a.resource_uuid}.`,
) {}
export class ResourceNoPermissionTime extends templated(
  403,
  (a) =>
    `You do not have permissions on ${a.resource_type} ${a.resource_uuid} for the time range ${a.start_time} - ${a.end_time}.`,
) {}
export class ResourceTypeUnknown extends templated(400, (a) => `${a.resource_type} resource type unknown.`) {}
export class InvalidTimeAPICommand extends templated(
  400,
  (a) =>
    `Attempted to get ${a.resource} resource without providing both a valid Start Time and End Time. Start Time must be strictly less than End Time. Got ${a.start_time}, ${a.end_time}.`,
) {}
export class InvalidAvailabilityAPICommand extends templated(
  400,
  (a) =>
    `Attempted to get an offer resource without providing both a valid Availability Start Time and Availability End Time. Availability Start Time must be strictly less than Availability End Time. Got ${a.a_start}, ${a.a_end}.`,
) {}
export class InvalidTimeRange extends templated(
  400,
  (a) =>
    `Attempted to create ${a.resource} resource with an invalid Start Time and End Time. Start Time must be strictly less than End Time. Got ${a.start_time}, ${a.end_time}.`,
) {}
/** Also used before any ownership check: a resource that does not exist is a 404 naming its type and id, not a 403. */
export class NodeNotFound extends templated(
  404,
  (a) => `Encountered an error fetching info for node ${a.uuid} (${a.resource_type}): ${a.err}`,
) {}
/** Upstream's class defines `_msg_fmt`, so the generic text is its real faultstring; a bad TTL is a client error. */
export class InvalidTokenTTL extends templated(400, () => 'An unknown exception occurred.') {}
export class UnsupportedConsoleType extends templated(500, (a) => `Unsupported console type ${a.console_type}`) {}

/** Ours: a lease may not end before the sub-leases and sub-offers made inside it. */
export class LeaseChildrenOutlast extends templated(
  409,
  (a) => `Lease ${a.lease_uuid} cannot end at ${a.end_time}: it has sub-leases or sub-offers that end later.`,
) {}

/** Ours: a node its backend reports unhealthy (maintenance, fault, failed provisioning) or gone is not leased. */
export class NodeUnhealthy extends templated(
  409,
  (a) => `Node ${a.resource_uuid} (${a.resource_type}) cannot be leased now: ${a.reason}.`,
) {}

/** Ours: only a lease that has not started, on a resource of its own, may be moved to another resource. */
export class LeaseNotMovable extends templated(
  409,
  (a) => `Lease ${a.lease_uuid} cannot be moved: it has started, changed or is a sub-lease.`,
) {}

/** Ours: the resource stayed locked by another booking or transition longer than `[database] lock_wait_timeout`. */
export class ResourceBusy extends templated(
  503,
  (a) => `${a.resource} is being changed by another request; try again shortly.`,
) {}

/** Ours: lease groups (`/v1/lease_groups`). */
export class LeaseGroupNotFound extends templated(404, (a) => `Lease group ${a.group_uuid} not found.`) {}
/** Every attempt lost the resources it selected to concurrent bookings, though enough looked free each time. */
export class LeaseGroupContended extends templated(
  409,
  (a) =>
    `Could not book ${a.count} leases: other bookings took the resources selected, ${a.attempts} times; try again.`,
) {}
export class LeaseGroupEnded extends templated(409, (a) => `Lease group ${a.group_uuid} has no lease left to change.`) {}

/** A dependency (database, Keystone, Ironic, broker) is unreachable: fail fast, say which. */
export class ServiceUnavailable extends templated(503, (a) => `${a.service} is unavailable.`) {}

/** Ours: tenant webhooks (`[webhooks]`). */
export class WebhookNotFound extends templated(404, (a) => `Webhook ${a.webhook_id} not found.`) {}
export class InvalidWebhookTarget extends templated(400, (a) => `Invalid webhook url ${a.url}: ${a.reason}.`) {}
export class WebhookLimitReached extends templated(
  403,
  (a) => `Project ${a.project_id} already has ${a.count} webhooks, the most [webhooks] max_per_project allows.`,
) {}

/**
 * Framework-level client errors (WSME/pecan's in upstream): unknown arguments, bad types, bad bodies.
 * The message is passed whole because each has its own upstream wording.
 */
export class ClientError extends EsiLeapException {
  override readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

/**
 * *ours*: a property constraint (`constraint=` on the lists, `constraints` of a group lease)
 * that does not parse. The faultstring repeats the constraint so a caller sending several
 * knows which one to fix.
 */
export class InvalidConstraint extends EsiLeapException {
  override readonly status = 400;
  constructor(
    readonly constraint: string,
    readonly reason: string,
  ) {
    super(`Invalid constraint '${constraint}': ${reason}.`);
  }
}

/** Why a request for several resources at once could not be met: what `InsufficientCapacity` reports. */
export interface CapacityReport {
  readonly requested: number;
  /** Resources the caller could book at all (resource class filter applied). */
  readonly candidates: number;
  /** Of those, the ones matching every constraint. */
  readonly matching: number;
  /** Of those, the ones free (and healthy) for the whole window. */
  readonly free: number;
  /** The constraint excluding the most candidates, null when none excluded any. */
  readonly most_excluding: string | null;
  readonly constraints: readonly { constraint: string; excluded: number; excluded_only_by_this: number }[];
  /** The earliest window of the same length with `requested` matching resources free at once, if any within the horizon. */
  readonly earliest_window: { start_time: string; end_time: string } | null;
}

/**
 * *ours*: fewer resources than requested are free for a window (group leases). The faultstring
 * says what to change; `capacity` (an extra key of the body) has the numbers behind it.
 */
export class InsufficientCapacity extends EsiLeapException {
  override readonly status = 409;
  override readonly details: { capacity: CapacityReport };

  constructor(report: CapacityReport, window: { start_time: string; end_time: string }, horizonDays: number) {
    const r = report;
    const excluded = r.constraints.find((c) => c.constraint === r.most_excluding);
    const why = excluded ? `; '${excluded.constraint}' excluded ${excluded.excluded}` : '';
    const later = r.earliest_window
      ? `The earliest window with ${r.requested} free is ${r.earliest_window.start_time} to ${r.earliest_window.end_time}.`
      : `No window of that length has ${r.requested} free within ${horizonDays} days.`;
    super(
      `Only ${r.free} of ${r.requested} requested nodes ${r.free === 1 ? 'is' : 'are'} free from ` +
        `${window.start_time} to ${window.end_time}: ${r.matching} match${r.matching === 1 ? 'es' : ''} the constraints ` +
        `(of ${r.candidates} you can book${why}). ${later}`,
    );
    this.details = { capacity: report };
  }
}

/**
 * *ours*: a list's `marker` (the last row of the previous page) names no row. Nova's wording;
 * a 400, as Nova and Ironic answer it, since the caller sent it.
 */
export class MarkerNotFound extends templated(400, (a) => `Marker ${a.marker} could not be found.`) {}

/** Plain-text routing errors (405/404 for unknown routes or methods under /v1). */
export class RoutingError extends Error {
  constructor(
    readonly status: 404 | 405,
    readonly body: string,
  ) {
    super(body);
  }
}

import { EsiLeapException } from '../common/errors/esi-leap.exceptions';
import { toIso, UtcTime } from '../common/time';
import { LengthLimitName, QuotaName } from '../leasing/limits/limits-file';

/** A lease limit of the limits file refused the booking; `limit` says which, in seconds. */
export class LeaseLimitExceeded extends EsiLeapException {
  override readonly status = 403;
  override readonly details: { limit: { name: LengthLimitName; limit_seconds: number; requested_seconds: number } };

  constructor(message: string, name: LengthLimitName, limitSeconds: number, requestedSeconds: number) {
    super(message);
    this.details = { limit: { name, limit_seconds: limitSeconds, requested_seconds: requestedSeconds } };
  }
}

export interface QuotaRefusal {
  /** The project whose quota it is (an ancestor, for a quota that counts sub-projects). */
  readonly projectId: string;
  readonly quota: QuotaName;
  readonly limit: number;
  /** What the project's leases already use, where the request would overflow the quota. */
  readonly usage: number;
  /** What the request adds there. */
  readonly requested: number;
  /** The instant (nodes) or the start of the 30 days (node-hours) where it would overflow. */
  readonly at: UtcTime | null;
}

const QUOTA_WORDING: Record<QuotaName, (limit: number) => string> = {
  nodes: (limit) => `at most ${limit} nodes held at once`,
  node_hours: (limit) => `at most ${limit} node-hours booked in any 30 days`,
  leases: (limit) => `at most ${limit} open leases`,
};

/** A project quota refused the booking: the limit, the usage and the request are named. */
export class QuotaExceeded extends EsiLeapException {
  override readonly status = 403;
  override readonly details: { quota: Record<string, unknown> };

  constructor(readonly refusal: QuotaRefusal) {
    const { projectId, quota, limit, usage, requested, at } = refusal;
    const where = at === null ? '' : quota === 'nodes' ? ` at ${toIso(at)}` : ` in the 30 days from ${toIso(at)}`;
    super(
      `Quota exceeded for project ${projectId}: ${QUOTA_WORDING[quota](limit)}; ` +
        `${formatAmount(usage)} in use${where}, the request adds ${formatAmount(requested)}.`,
    );
    this.details = {
      quota: {
        project_id: projectId,
        name: quota,
        limit,
        usage: roundAmount(usage),
        requested: roundAmount(requested),
        at: at === null ? null : toIso(at),
      },
    };
  }
}

/** A lease would start or end within the cleaning time of another lease on the node. */
export class CleaningTimeConflict extends EsiLeapException {
  override readonly status = 409;

  constructor(resourceType: string, resourceUuid: string, gap: string) {
    super(`Time conflict for ${resourceType} ${resourceUuid}: leases on it must be ${gap} apart (cleaning time).`);
  }
}

/** The external enforcement service refused the booking; its message is passed on as it is. */
export class EnforcementDenied extends EsiLeapException {
  override readonly status = 403;
}

/** Node-hours are fractional; two decimals are plenty for a message or a report. */
export function roundAmount(value: number): number {
  return Math.round(value * 100) / 100;
}

function formatAmount(value: number): string {
  return String(roundAmount(value));
}

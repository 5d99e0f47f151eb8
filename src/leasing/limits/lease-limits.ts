import { BookingGaps } from './booking-gaps';
import {
  LENGTH_LIMIT_NAMES,
  LengthLimits,
  LimitOverrides,
  LimitsDocument,
  NodeLimits,
  QuotaLimits,
} from './limits-file';
import { LimitsStore } from './limits-store';

/** A resource class that could not be looked up: the strictest limit of any class applies. */
export const UNKNOWN_CLASS = undefined;

/**
 * The limits in force for a booking, from the limits file (LimitsStore), layered from the
 * least to the most specific: the file's defaults, the resource class, the project, the
 * project's entry for the class. Upstream's `[api] max_lease_time` is the default
 * `max_lease_length`; everything else is unlimited unless the file says otherwise.
 */
export class LeaseLimits extends BookingGaps {
  constructor(
    private readonly store: LimitsStore,
    /** `[api] max_lease_time`, in days. */
    private readonly upstreamMaxLeaseDays: number,
  ) {
    super();
  }

  /** The file's contents now, or null when there is no limits file (nothing here applies). */
  document(): LimitsDocument | null {
    return this.store.current();
  }

  selfServiceExtension(): boolean {
    return this.document()?.selfServiceExtension ?? false;
  }

  /** Whether any limit depends on the node's resource class, which then has to be looked up. */
  dependsOnResourceClass(): boolean {
    const doc = this.document();
    if (!doc) return false;
    return doc.resourceClasses.size > 0 || [...doc.projects.values()].some((p) => p.resourceClasses.size > 0);
  }

  /**
   * The length limits for a lease of `projectId` on a node of `resourceClass` (null: a node
   * without class; UNKNOWN_CLASS: the strictest of every class), or null without a file.
   */
  forLease(projectId: string, resourceClass: string | null | undefined): LengthLimits | null {
    const doc = this.document();
    if (!doc) return null;
    const classes = resourceClass === UNKNOWN_CLASS ? [null, ...knownClasses(doc, projectId)] : [resourceClass];
    return classes.map((c) => this.layered(doc, projectId, c)).reduce(strictest);
  }

  /** The cleaning time, in seconds, between two leases on a node of the class (0 without one). */
  gapSeconds(resourceClass: string | null | undefined): number {
    const doc = this.document();
    if (!doc) return 0;
    const classes = resourceClass === UNKNOWN_CLASS ? [null, ...doc.resourceClasses.keys()] : [resourceClass];
    return Math.max(
      ...classes.map(
        (c) => (c === null ? undefined : doc.resourceClasses.get(c)?.min_gap) ?? doc.defaults.min_gap ?? 0,
      ),
    );
  }

  gapMicros(resourceClass: string | null): bigint {
    return BigInt(this.gapSeconds(resourceClass)) * 1_000_000n;
  }

  /** The quotas of `projectId` itself: its own entry, else the file's default; null for none. */
  quotaOf(projectId: string): QuotaLimits | null {
    const doc = this.document();
    if (!doc) return null;
    return doc.quotas.get(projectId) ?? doc.defaultQuota;
  }

  /** Projects whose quotas also count their sub-projects' leases. */
  subtreeQuotas(): ReadonlyMap<string, QuotaLimits> {
    const doc = this.document();
    if (!doc) return new Map();
    return new Map([...doc.quotas].filter(([, quota]) => quota.include_subprojects));
  }

  private layered(doc: LimitsDocument, projectId: string, resourceClass: string | null): LengthLimits {
    const project = doc.projects.get(projectId);
    const layers: (LimitOverrides | NodeLimits | undefined)[] = [
      doc.defaults,
      resourceClass === null ? undefined : doc.resourceClasses.get(resourceClass),
      project?.limits,
      resourceClass === null ? undefined : project?.resourceClasses.get(resourceClass),
    ];
    const limits: Record<string, number | null> = {
      max_lease_length: this.upstreamMaxLeaseDays * 86_400,
      max_total_length: null,
      extension_window: null,
      max_extension: null,
      booking_horizon: null,
    };
    for (const layer of layers) {
      for (const name of LENGTH_LIMIT_NAMES) {
        if (layer && name in layer) limits[name] = layer[name] ?? null;
      }
    }
    return limits as unknown as LengthLimits;
  }
}

function knownClasses(doc: LimitsDocument, projectId: string): string[] {
  return [...new Set([...doc.resourceClasses.keys(), ...(doc.projects.get(projectId)?.resourceClasses.keys() ?? [])])];
}

/** Limit by limit, the smaller (null being no limit at all). */
function strictest(a: LengthLimits, b: LengthLimits): LengthLimits {
  const result: Record<string, number | null> = {};
  for (const name of LENGTH_LIMIT_NAMES) {
    const [x, y] = [a[name], b[name]];
    result[name] = x === null ? y : y === null ? x : Math.min(x, y);
  }
  return result as unknown as LengthLimits;
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { fromEpochMicros, toEpochMicros, UtcTime } from '../../common/time';
import { QuotaRefusal } from '../lease-policy.errors';
import { LeaseLimits } from '../../leasing/limits/lease-limits';
import { QuotaLimits, QuotaName } from '../../leasing/limits/limits-file';
import { ProjectAncestry, ProjectChains } from '../lookups/project-ancestry';
import { QuotaLeasesRepository } from './quota-leases.repository';
import { bookedFrom, hours, NODE_HOURS_WINDOW, peakNodeHours, peakNodes, Span, Window } from './quota-math';

/** A quota that applies to a project's bookings: its own, or an ancestor's that counts sub-projects. */
export interface QuotaScope {
  /** The project the quota is set for. */
  readonly projectId: string;
  readonly limits: QuotaLimits;
}

/** What a booking adds, for the quotas of the project that will hold it. */
export interface AddedBooking {
  readonly projectId: string;
  readonly span: Span;
  /** A new lease (counts towards open leases); false for an extension. */
  readonly newLease: boolean;
}

/** One quota as `GET /v1/quotas` shows it. */
export interface QuotaReport {
  readonly scope: QuotaScope;
  readonly quota: QuotaName;
  readonly limit: number | null;
  /** Now: nodes held, node-hours booked in the last 30 days, open leases. */
  readonly inUse: number;
  /** The most it reaches from now on with what is booked (and where), which a new booking adds to. */
  readonly peak: number;
  readonly peakAt: UtcTime | null;
}

/**
 * The quotas of the limits file applied to the leases in the database: which quotas cover a
 * project, whether bookings would exceed one (QuotaGuard, inside the booking's transaction and
 * under the quota's lock), and the usage report of `GET /v1/quotas`.
 */
@Injectable()
export class QuotaUsage {
  constructor(
    private readonly limits: LeaseLimits,
    private readonly ancestry: ProjectAncestry,
    private readonly leases: QuotaLeasesRepository,
  ) {}

  /** Whether any quota is set at all. */
  inForce(): boolean {
    const doc = this.limits.document();
    return doc !== null && (doc.defaultQuota !== null || doc.quotas.size > 0);
  }

  /**
   * Reads, before any lock, the parent chains the scopes and members of sub-project quotas are
   * found from: of `projectIds`, and of every project whose leases count now.
   */
  async prepare(projectIds: readonly string[], now: UtcTime): Promise<ProjectChains> {
    if (this.limits.subtreeQuotas().size === 0) return new Map();
    return this.ancestry.load([...projectIds, ...(await this.leases.projectsWithLeases(since(now)))]);
  }

  /** The quotas covering a project: its own (or the default), then its ancestors' that count sub-projects. */
  scopesOf(projectId: string, chains: ProjectChains): QuotaScope[] {
    const scopes: QuotaScope[] = [];
    const own = this.limits.quotaOf(projectId);
    if (own) scopes.push({ projectId, limits: own });
    const subtree = this.limits.subtreeQuotas();
    if (subtree.size > 0) {
      // Read before the lock, moments ago; without it only the project's own quota is known.
      for (const ancestor of (chains.get(projectId) ?? [projectId]).slice(1)) {
        const limits = subtree.get(ancestor);
        if (limits) scopes.push({ projectId: ancestor, limits });
      }
    }
    return scopes;
  }

  /**
   * The first quota of `scope` that `added` (the bookings it covers) would exceed, with the
   * numbers for the refusal; null when they fit.
   */
  async refusal(
    em: EntityManager | undefined,
    scope: QuotaScope,
    added: readonly AddedBooking[],
    chains: ProjectChains,
  ): Promise<QuotaRefusal | null> {
    const earliest = added.reduce((t, a) => (a.span.start < t ? a.span.start : t), added[0].span.start);
    const counted = await this.leases.leasesOf(
      await this.members(scope, chains, em, since(fromEpochMicros(earliest))),
      since(fromEpochMicros(earliest)),
      em,
    );
    const spans = added.map((a) => a.span);
    const windows: Window[] = spans.map((s) => [s.start, s.end]);
    const refuse = (quota: QuotaName, limit: number, usage: number, requested: number, at: bigint | null) => ({
      projectId: scope.projectId,
      quota,
      limit,
      usage,
      requested,
      at: at === null ? null : fromEpochMicros(at),
    });
    const { nodes, node_hours: nodeHours, leases } = scope.limits;
    if (nodes !== null) {
      const peak = peakNodes(counted.held, spans, windows);
      if (peak && peak.total > nodes) return refuse('nodes', nodes, peak.existing, peak.added, peak.at);
    }
    if (nodeHours !== null) {
      const peak = peakNodeHours(counted.booked, spans, windows);
      if (peak && peak.total > nodeHours) return refuse('node_hours', nodeHours, peak.existing, peak.added, peak.at);
    }
    const newLeases = added.filter((a) => a.newLease).length;
    if (leases !== null && newLeases > 0 && counted.open + newLeases > leases) {
      return refuse('leases', leases, counted.open, newLeases, null);
    }
    return null;
  }

  /** Every quota covering `projectId`, with its usage now and its peak from now on. */
  async report(projectId: string, now: UtcTime): Promise<QuotaReport[]> {
    const chains = await this.prepare([projectId], now);
    const reports: QuotaReport[] = [];
    const t = toEpochMicros(now);
    const future: Window[] = [[t, toEpochMicros('9999-12-31 23:59:59.999999' as UtcTime)]];
    for (const scope of this.scopesOf(projectId, chains)) {
      const counted = await this.leases.leasesOf(await this.members(scope, chains, undefined, since(now)), since(now));
      const nodes = peakNodes(counted.held, [], future);
      const nodeHours = peakNodeHours(counted.booked, [], future);
      const at = (peak: { at: bigint } | null) => (peak ? fromEpochMicros(peak.at) : null);
      reports.push(
        {
          scope,
          quota: 'nodes',
          limit: scope.limits.nodes,
          inUse: peakNodes(counted.held, [], [[t, t + 1n]])?.total ?? 0,
          peak: nodes?.total ?? 0,
          peakAt: nodes && nodes.total > 0 ? at(nodes) : null,
        },
        {
          scope,
          quota: 'node_hours',
          limit: scope.limits.node_hours,
          inUse: hours(bookedFrom(counted.booked, t - NODE_HOURS_WINDOW)),
          peak: nodeHours?.total ?? 0,
          peakAt: nodeHours && nodeHours.total > 0 ? at(nodeHours) : null,
        },
        { scope, quota: 'leases', limit: scope.limits.leases, inUse: counted.open, peak: counted.open, peakAt: null },
      );
    }
    return reports;
  }

  /**
   * The projects whose leases count towards the scope: the project itself or, for a quota that
   * counts sub-projects, every project with leases whose chain includes it. A project whose
   * chain was not read before the lock (its first lease committed in between) is counted, so
   * the quota can only err on the side of refusing.
   */
  private async members(
    scope: QuotaScope,
    chains: ProjectChains,
    em: EntityManager | undefined,
    from: UtcTime,
  ): Promise<string[]> {
    if (!scope.limits.include_subprojects) return [scope.projectId];
    const withLeases = await this.leases.projectsWithLeases(from, em);
    return [
      scope.projectId,
      ...withLeases.filter((id) => id !== scope.projectId && (chains.get(id)?.includes(scope.projectId) ?? true)),
    ];
  }
}

/** Leases ending before this cannot count in any 30-day window that reaches `t`. */
function since(t: UtcTime): UtcTime {
  return fromEpochMicros(toEpochMicros(t) - NODE_HOURS_WINDOW);
}

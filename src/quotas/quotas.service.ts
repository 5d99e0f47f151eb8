import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { toIso } from '../common/time';
import { roundAmount } from '../lease-policy/lease-policy.errors';
import { LeaseLimits } from '../leasing/limits/lease-limits';
import { LimitsDocument } from '../leasing/limits/limits-file';
import { QuotaUsage } from '../lease-policy/quotas/quota-usage';
import { ProjectDirectory } from '../projects/project-directory';

/** `GET /v1/quotas`: a project's quotas with their usage, and the lease limits it books under. */
@Injectable()
export class QuotasService {
  constructor(
    private readonly clock: Clock,
    private readonly projects: ProjectDirectory,
    private readonly limits: LeaseLimits,
    private readonly usage: QuotaUsage,
  ) {}

  async show(projectId: string): Promise<Record<string, unknown>> {
    const [project, reports] = await Promise.all([
      this.projects.nameOf(projectId),
      this.usage.report(projectId, this.clock.now()),
    ]);
    return {
      project_id: projectId,
      project,
      quotas: reports.map((r) => ({
        name: r.quota,
        project_id: r.scope.projectId,
        include_subprojects: r.scope.limits.include_subprojects,
        limit: r.limit,
        in_use: roundAmount(r.inUse),
        peak: roundAmount(r.peak),
        peak_at: r.peakAt === null ? null : toIso(r.peakAt),
      })),
      lease_limits: this.leaseLimits(projectId),
    };
  }

  /** The limits for a node without class, then for each class the file names; in seconds, null for none. */
  private leaseLimits(projectId: string): Record<string, unknown> | null {
    const doc = this.limits.document();
    if (!doc) return null;
    const classes = [null, ...classesNamed(doc, projectId)];
    return {
      self_service_extension: doc.selfServiceExtension,
      by_resource_class: classes.map((resourceClass) => ({
        resource_class: resourceClass,
        ...this.limits.forLease(projectId, resourceClass),
        min_gap: this.limits.gapSeconds(resourceClass),
      })),
    };
  }
}

function classesNamed(doc: LimitsDocument, projectId: string): string[] {
  return [
    ...new Set([...doc.resourceClasses.keys(), ...(doc.projects.get(projectId)?.resourceClasses.keys() ?? [])]),
  ].sort();
}

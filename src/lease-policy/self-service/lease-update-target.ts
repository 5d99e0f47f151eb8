import { Injectable } from '@nestjs/common';
import { HTTPResourceForbidden } from '../../common/errors/esi-leap.exceptions';
import { IdentResolver } from '../../leasing/data/ident-resolver';
import { LeaseEntity } from '../../leasing/data/lease.entity';
import {
  PolicyRequest,
  PolicyTargetResolver,
  PolicyTargetSpec,
  ResolvedPolicyTarget,
} from '../../policy/policy.decorator';
import { leasePolicyTarget } from '../../policy/policy-targets';
import { ProjectDirectory } from '../../projects/project-directory';
import { LeaseLimits } from '../../leasing/limits/lease-limits';

/**
 * The lease of `PATCH /v1/leases/{ident}` and the right the caller has on it: `update` (the
 * route's rule, `esi_leap:lease:update`: any end) or `extend` (`esi_leap:lease:extend`, only
 * when the limits file enables self-service extension: a later end, within the limits).
 */
export interface LeaseToUpdate {
  readonly lease: LeaseEntity;
  readonly grant: 'update' | 'extend';
}

/** The lease target of `lease:update`, offering `lease:extend` as the alternative while self-service is on. */
@Injectable()
export class LeaseUpdateTarget implements PolicyTargetResolver<LeaseToUpdate, null> {
  constructor(
    private readonly resolver: IdentResolver,
    private readonly projects: ProjectDirectory,
    private readonly limits: LeaseLimits,
  ) {}

  async resolve(request: PolicyRequest): Promise<ResolvedPolicyTarget<LeaseToUpdate>> {
    const lease = await this.resolver.lease(request.params.ident, null);
    const creds = request.esiLeapContext!.creds;
    const selfService = this.limits.selfServiceExtension();
    const target: Record<string, unknown> = { ...leasePolicyTarget(creds, lease) };
    if (selfService && (await this.isLesseeAncestor(creds.project_id, lease.projectId))) {
      target['lease.lessee_ancestor_id'] = creds.project_id;
    }
    return {
      object: { lease, grant: 'update' },
      target,
      denied: () => new HTTPResourceForbidden({ resource_type: 'lease', resource: lease.uuid }),
      alternative: selfService ? { rule: 'esi_leap:lease:extend', object: { lease, grant: 'extend' } } : undefined,
    };
  }

  /** Whether the caller's project is a parent (at any level) of the lease's lessee project. */
  private async isLesseeAncestor(callerProject: string | null, lessee: string): Promise<boolean> {
    if (!callerProject || callerProject === lessee) return false;
    return (await this.projects.ancestry(lessee)).slice(1).includes(callerProject);
  }
}

export function leaseUpdateTarget(): PolicyTargetSpec<LeaseToUpdate, null> {
  return { resolver: LeaseUpdateTarget, options: null };
}

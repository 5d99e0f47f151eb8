import { Injectable } from '@nestjs/common';
import { HTTPResourceForbidden } from '../common/errors/esi-leap.exceptions';
import { IdentResolver } from '../leasing/data/ident-resolver';
import { LeaseEntity } from '../leasing/data/lease.entity';
import { LeaseStatusName } from '../leasing/data/statuses';
import {
  PolicyRequest,
  PolicyTargetResolver,
  PolicyTargetSpec,
  ResolvedPolicyTarget,
} from '../policy/policy.decorator';
import { leasePolicyTarget } from '../policy/policy-targets';

export interface LeaseTargetOptions {
  /** The statuses the route accepts; another status is a 404, as an unknown lease. */
  readonly statuses: readonly LeaseStatusName[] | null;
}

/** The `{ident}` lease of a route, for its object rule (target `lease.owner_id`, `lease.project_id`). */
@Injectable()
export class LeasePolicyTarget implements PolicyTargetResolver<LeaseEntity, LeaseTargetOptions> {
  constructor(private readonly resolver: IdentResolver) {}

  async resolve(request: PolicyRequest, options: LeaseTargetOptions): Promise<ResolvedPolicyTarget<LeaseEntity>> {
    const lease = await this.resolver.lease(request.params.ident, options.statuses);
    return {
      object: lease,
      target: leasePolicyTarget(request.esiLeapContext!.creds, lease),
      denied: () => new HTTPResourceForbidden({ resource_type: 'lease', resource: lease.uuid }),
    };
  }
}

export function leaseTarget(options: LeaseTargetOptions): PolicyTargetSpec<LeaseEntity, LeaseTargetOptions> {
  return { resolver: LeasePolicyTarget, options };
}

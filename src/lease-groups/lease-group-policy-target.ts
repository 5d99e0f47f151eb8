import { Injectable } from '@nestjs/common';
import { HTTPResourceForbidden, LeaseGroupNotFound } from '../common/errors/esi-leap.exceptions';
import { LeaseEntity } from '../leasing/data/lease.entity';
import { LeaseGroupEntity, LeaseGroupStatusName } from '../leasing/data/lease-group.entity';
import { LeaseGroupsRepository } from '../leasing/data/lease-groups.repository';
import { LeaseLimits } from '../leasing/limits/lease-limits';
import {
  PolicyRequest,
  PolicyTargetResolver,
  PolicyTargetSpec,
  ResolvedPolicyTarget,
} from '../policy/policy.decorator';
import { ProjectDirectory } from '../projects/project-directory';

/** A group with its member leases (every one, cancelled ones included), as a route's object. */
export interface LeaseGroupWithMembers {
  readonly group: LeaseGroupEntity;
  readonly members: readonly LeaseEntity[];
}

/**
 * The group of `PATCH /v1/lease_groups/{uuid}` and the right the caller has on it: `update`
 * (`esi_leap:lease_group:update`, any end) or `extend` (`esi_leap:lease:extend` on the group as
 * on one of its leases, only while the limits file enables self-service extension).
 */
export interface LeaseGroupToUpdate extends LeaseGroupWithMembers {
  readonly grant: 'update' | 'extend';
}

export interface LeaseGroupTargetOptions {
  /** The statuses the route accepts; another status is a 404, as an unknown group. */
  readonly statuses: readonly LeaseGroupStatusName[] | null;
}

/** The `{uuid}` group of a route, for its object rule (target `lease_group.project_id`). */
@Injectable()
export class LeaseGroupPolicyTarget implements PolicyTargetResolver<LeaseGroupWithMembers, LeaseGroupTargetOptions> {
  constructor(private readonly groups: LeaseGroupsRepository) {}

  async resolve(
    request: PolicyRequest,
    options: LeaseGroupTargetOptions,
  ): Promise<ResolvedPolicyTarget<LeaseGroupWithMembers>> {
    const found = await loadGroup(this.groups, request.params.uuid, options.statuses);
    return {
      object: found,
      target: { ...request.esiLeapContext!.creds, 'lease_group.project_id': found.group.projectId },
      denied: () => new HTTPResourceForbidden({ resource_type: 'lease_group', resource: found.group.uuid }),
    };
  }
}

/** The group target of `lease_group:update`, offering `lease:extend` as the alternative while self-service is on. */
@Injectable()
export class LeaseGroupUpdateTarget implements PolicyTargetResolver<LeaseGroupToUpdate, null> {
  constructor(
    private readonly groups: LeaseGroupsRepository,
    private readonly projects: ProjectDirectory,
    private readonly limits: LeaseLimits,
  ) {}

  async resolve(request: PolicyRequest): Promise<ResolvedPolicyTarget<LeaseGroupToUpdate>> {
    const found = await loadGroup(this.groups, request.params.uuid, null);
    const creds = request.esiLeapContext!.creds;
    const selfService = this.limits.selfServiceExtension();
    const owners = new Set(found.members.map((l) => l.ownerId));
    // One target serves both rules: the group's keys, and a lease's as its members share them.
    const target: Record<string, unknown> = {
      ...creds,
      'lease_group.project_id': found.group.projectId,
      'lease.project_id': found.group.projectId,
      'lease.owner_id': owners.size === 1 ? [...owners][0] : null,
    };
    if (selfService && (await this.isLesseeAncestor(creds.project_id, found.group.projectId))) {
      target['lease.lessee_ancestor_id'] = creds.project_id;
    }
    return {
      object: { ...found, grant: 'update' },
      target,
      denied: () => new HTTPResourceForbidden({ resource_type: 'lease_group', resource: found.group.uuid }),
      alternative: selfService ? { rule: 'esi_leap:lease:extend', object: { ...found, grant: 'extend' } } : undefined,
    };
  }

  /** Whether the caller's project is a parent (at any level) of the group's project. */
  private async isLesseeAncestor(callerProject: string | null, lessee: string): Promise<boolean> {
    if (!callerProject || callerProject === lessee) return false;
    return (await this.projects.ancestry(lessee)).slice(1).includes(callerProject);
  }
}

/** A list shows the caller's project's groups: the rule is checked against that project. */
@Injectable()
export class LeaseGroupListPolicyTarget implements PolicyTargetResolver<null, null> {
  resolve(request: PolicyRequest): Promise<ResolvedPolicyTarget<null>> {
    const creds = request.esiLeapContext!.creds;
    return Promise.resolve({
      object: null,
      target: { ...creds, 'lease_group.project_id': creds.project_id },
      denied: () => new HTTPResourceForbidden({ resource_type: 'project', resource: creds.project_id }),
    });
  }
}

async function loadGroup(
  groups: LeaseGroupsRepository,
  uuid: string,
  statuses: readonly LeaseGroupStatusName[] | null,
): Promise<LeaseGroupWithMembers> {
  const group = await groups.findByUuid(uuid);
  if (!group || (statuses && !statuses.includes(group.status))) throw new LeaseGroupNotFound({ group_uuid: uuid });
  return { group, members: (await groups.membersOf([group.uuid])).get(group.uuid)! };
}

export function leaseGroupTarget(
  options: LeaseGroupTargetOptions,
): PolicyTargetSpec<LeaseGroupWithMembers, LeaseGroupTargetOptions> {
  return { resolver: LeaseGroupPolicyTarget, options };
}

export const leaseGroupList: PolicyTargetSpec<null, null> = { resolver: LeaseGroupListPolicyTarget, options: null };

export function leaseGroupUpdateTarget(): PolicyTargetSpec<LeaseGroupToUpdate, null> {
  return { resolver: LeaseGroupUpdateTarget, options: null };
}

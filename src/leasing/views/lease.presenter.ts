import { Injectable } from '@nestjs/common';
import { Listed } from '../../common/entity-rows';
import { toIso, UtcTime } from '../../common/time';
import { ResourceDecoration, ResourceDecorator } from './resource-decorator';
import { ProjectDirectory } from '../../projects/project-directory';
import { LeaseEntity } from '../data/lease.entity';

export type LeaseView = Record<string, unknown>;

const iso = (t: UtcTime | null) => (t === null ? null : toIso(t));

/** Renders leases in upstream's attribute order (api.md 3.3.0) with their decoration. */
@Injectable()
export class LeasePresenter {
  constructor(
    private readonly projects: ProjectDirectory,
    private readonly resources: ResourceDecorator,
  ) {}

  async one(lease: LeaseEntity): Promise<LeaseView> {
    const [project, owner, resource] = await Promise.all([
      this.projects.nameOf(lease.projectId),
      this.projects.nameOf(lease.ownerId),
      this.resources.single(lease),
    ]);
    return render(lease, project, owner, resource);
  }

  /**
   * The renderer of a list read in pages: project names read once, resources decorated one
   * page at a time (one bulk driver read per page); each row is rendered only when iterated.
   */
  async pageRenderer(): Promise<(page: readonly Listed<LeaseEntity>[]) => Promise<Iterable<LeaseView>>> {
    const names = await this.projects.names();
    const name = (id: string | null) => (id ? (names.get(id) ?? '') : '');
    return async (leases) => {
      if (leases.length === 0) return [];
      const resourceOf = await this.resources.forList(leases);
      return (function* rows() {
        for (const l of leases) yield render(l, name(l.projectId), name(l.ownerId), resourceOf(l));
      })();
    };
  }
}

function render(lease: Listed<LeaseEntity>, project: string, owner: string, resource: ResourceDecoration): LeaseView {
  return {
    name: lease.name,
    uuid: lease.uuid,
    project_id: lease.projectId,
    project,
    owner_id: lease.ownerId,
    owner,
    resource_type: lease.resourceType,
    resource_uuid: lease.resourceUuid,
    resource_class: resource.resource_class,
    resource_properties: resource.resource_properties,
    resource: resource.resource,
    start_time: iso(lease.startTime),
    fulfill_time: iso(lease.fulfillTime),
    expire_time: iso(lease.expireTime),
    end_time: iso(lease.endTime),
    status: lease.status,
    properties: lease.properties,
    purpose: lease.purpose,
    offer_uuid: lease.offerUuid,
    parent_lease_uuid: lease.parentLeaseUuid,
  };
}

import { Injectable } from '@nestjs/common';
import { Listed } from '../../common/entity-rows';
import { toIso, UtcTime } from '../../common/time';
import { ResourceDecoration, ResourceDecorator } from './resource-decorator';
import { ProjectDirectory } from '../../projects/project-directory';
import { LeaseEntity } from '../data/lease.entity';
import { FLAGGABLE, NodeHealth } from '../health/node-health';

export type LeaseView = Record<string, unknown>;

const iso = (t: UtcTime | null) => (t === null ? null : toIso(t));

/** Renders leases in upstream's attribute order with their decoration, then node health. */
@Injectable()
export class LeasePresenter {
  constructor(
    private readonly projects: ProjectDirectory,
    private readonly resources: ResourceDecorator,
    private readonly health: NodeHealth,
  ) {}

  async one(lease: LeaseEntity): Promise<LeaseView> {
    const [project, owner, resource, degradations] = await Promise.all([
      this.projects.nameOf(lease.projectId),
      this.projects.nameOf(lease.ownerId),
      this.resources.single(lease),
      FLAGGED_WHILE.has(lease.status) ? this.health.degradationsOf([lease.uuid]) : new Map<string, string>(),
    ]);
    return render(lease, project, owner, resource, degradations.get(lease.uuid) ?? null);
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
      const [resourceOf, degradations] = await Promise.all([
        this.resources.forList(leases),
        this.health.degradationsOf(leases.filter((l) => FLAGGED_WHILE.has(l.status)).map((l) => l.uuid)),
      ]);
      return (function* rows() {
        for (const l of leases) {
          yield render(l, name(l.projectId), name(l.ownerId), resourceOf(l), degradations.get(l.uuid) ?? null);
        }
      })();
    };
  }
}

/** A lease's flag shows while its node matters to it; an ended lease is not degraded. */
const FLAGGED_WHILE: ReadonlySet<string> = new Set(FLAGGABLE);

function render(
  lease: Listed<LeaseEntity>,
  project: string,
  owner: string,
  resource: ResourceDecoration,
  degradation: string | null,
): LeaseView {
  const degraded = degradation !== null && FLAGGED_WHILE.has(lease.status);
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
    // Ours, after upstream's keys: the lease's node is unhealthy (docs/node-health.md).
    degraded,
    degraded_reason: degraded ? degradation : null,
  };
}

import { Injectable } from '@nestjs/common';
import { toIso } from '../common/time';
import { LeaseEntity } from '../leasing/data/lease.entity';
import { LeaseGroupEntity } from '../leasing/data/lease-group.entity';
import { LeaseGroupsRepository } from '../leasing/data/lease-groups.repository';
import { LeaseStatus } from '../leasing/data/statuses';
import { LeasePresenter, LeaseView } from '../leasing/views/lease.presenter';

export type LeaseGroupView = Record<string, unknown>;

/** A member cancelled on its own (or with the group) has left it. */
const CANCELLED: ReadonlySet<string> = new Set([LeaseStatus.DELETED, LeaseStatus.WAIT_CANCEL]);

/**
 * A group as the API shows it: `count` and `leases` are the members still booked (a member
 * cancelled on its own leaves the group), each lease exactly as `GET /v1/leases/{id}` shows it.
 */
@Injectable()
export class LeaseGroupPresenter {
  constructor(
    private readonly groups: LeaseGroupsRepository,
    private readonly leases: LeasePresenter,
  ) {}

  async one(group: LeaseGroupEntity, members?: readonly LeaseEntity[]): Promise<LeaseGroupView> {
    return (await this.many([group], members && new Map([[group.uuid, members]])))[0];
  }

  /**
   * The groups with their leases, rendered as a list renders leases: project names read once,
   * the resources of every lease decorated in one bulk read.
   */
  async many(
    groups: readonly LeaseGroupEntity[],
    known?: ReadonlyMap<string, readonly LeaseEntity[]>,
  ): Promise<LeaseGroupView[]> {
    const members = known ?? (await this.groups.membersOf(groups.map((g) => g.uuid)));
    const booked = new Map(groups.map((g) => [g.uuid, members.get(g.uuid)!.filter((l) => !CANCELLED.has(l.status))]));
    const views = [...(await (await this.leases.pageRenderer())([...booked.values()].flat()))];
    const byLease = new Map<string, LeaseView>(views.map((view) => [String(view.uuid), view]));
    return groups.map((g) =>
      render(
        g,
        booked.get(g.uuid)!.map((l) => byLease.get(l.uuid)!),
      ),
    );
  }
}

function render(group: LeaseGroupEntity, leases: readonly LeaseView[]): LeaseGroupView {
  return {
    uuid: group.uuid,
    name: group.name,
    project_id: group.projectId,
    count: leases.length,
    start_time: toIso(group.startTime),
    end_time: toIso(group.endTime),
    status: group.status,
    leases,
  };
}

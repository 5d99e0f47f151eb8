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
    const leases = members ?? (await this.groups.membersOf([group.uuid])).get(group.uuid)!;
    return render(group, await this.views(leases));
  }

  async many(groups: readonly LeaseGroupEntity[]): Promise<LeaseGroupView[]> {
    const members = await this.groups.membersOf(groups.map((g) => g.uuid));
    return Promise.all(groups.map(async (g) => render(g, await this.views(members.get(g.uuid)!))));
  }

  private views(members: readonly LeaseEntity[]): Promise<LeaseView[]> {
    return Promise.all(members.filter((l) => !CANCELLED.has(l.status)).map((l) => this.leases.one(l)));
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

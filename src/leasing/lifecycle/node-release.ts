import { Injectable } from '@nestjs/common';
import { LeaseStatus } from '../data/statuses';
import { UtcTime } from '../../common/time';
import { LeaseEntity } from '../data/lease.entity';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';

/**
 * The driver half of ending a lease (service.md E.2): takes the lease off its node if the
 * node still holds it (a vanished node, or one already given to someone else, has nothing to
 * clean, K-10), then hands the node back to the parent lease only while that parent is active
 * and inside its window (K-11). Callers run it inside the lease's transaction and delete the
 * node's console tokens when it reports the node released (E.2 step 4).
 */
@Injectable()
export class NodeRelease {
  constructor(private readonly drivers: ResourceDriverRegistry) {}

  /** True when the node held the lease and was released. Driver errors propagate. */
  async release(lease: LeaseEntity, parent: LeaseEntity | null, now: UtcTime): Promise<boolean> {
    const driver = this.drivers.find(lease.resourceType);
    if (!driver) return false;
    const node = await driver.get(lease.resourceUuid);
    if (!node || node.leaseUuid !== lease.uuid) return false;
    await driver.removeLease(lease.resourceUuid, lease);
    if (parent && parent.status === LeaseStatus.ACTIVE && now < parent.endTime) {
      await driver.setLease(lease.resourceUuid, parent);
    }
    return true;
  }
}

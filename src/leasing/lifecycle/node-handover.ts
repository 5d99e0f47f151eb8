import { Injectable } from '@nestjs/common';
import { inParallel } from '../../common/in-parallel';
import { UtcTime } from '../../common/time';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';
import { LeaseEntity } from '../data/lease.entity';
import { LeasesRepository } from '../data/leases.repository';
import { LeaseStatus } from '../data/statuses';
import { PlannedTransition, TRANSITIONS } from './transitions';

/** Driver calls one hand-over runs at once: they are independent nodes, and Ironic calls are slow. */
const DRIVER_CALLS_AT_ONCE = 8;

/** What the driver calls of a set of transitions came to. */
export interface HandoverResult {
  /** The driver error of each lease whose call failed. */
  readonly failures: ReadonlyMap<string, unknown>;
  /** Leases whose node held them and was taken back (their console tokens must go). */
  readonly released: ReadonlySet<string>;
}

/**
 * The driver half of transitions, run with no transaction open: gives nodes to fulfilled
 * leases and takes them back from ending ones. Taking back only touches a node that still
 * holds the lease (a vanished node, or one already given to someone else, has nothing to
 * clean), then hands it back to the parent lease while that parent is active and inside its
 * window. Both calls are idempotent, so a transition repeated after a crash is harmless.
 */
@Injectable()
export class NodeHandover {
  constructor(
    private readonly drivers: ResourceDriverRegistry,
    private readonly leases: LeasesRepository,
  ) {}

  async run(planned: readonly PlannedTransition[], now: UtcTime): Promise<HandoverResult> {
    const parentUuids = [
      ...new Set(
        planned
          .filter((p) => TRANSITIONS[p.kind].intent === 'take')
          .map((p) => p.lease.parentLeaseUuid)
          .filter((uuid): uuid is string => uuid !== null),
      ),
    ];
    // Read now, after the deciding transaction: a parent ending in the same cascade is no
    // longer active, so the node is not handed back to it.
    const parents = new Map((await this.leases.findByUuids(parentUuids)).map((p) => [p.uuid, p]));
    const failures = new Map<string, unknown>();
    const released = new Set<string>();
    // Nodes in parallel; the calls on one node in the planned order (sub-leases before their
    // parent), each deciding from what the previous one left.
    await inParallel([...byResource(planned).values()], DRIVER_CALLS_AT_ONCE, async (onNode) => {
      for (const { kind, lease } of onNode) {
        try {
          if (TRANSITIONS[kind].intent === 'give') {
            await this.drivers.get(lease.resourceType).setLease(lease.resourceUuid, lease);
          } else if (await this.takeBack(lease, parents.get(lease.parentLeaseUuid ?? '') ?? null, now)) {
            released.add(lease.uuid);
          }
        } catch (err) {
          failures.set(lease.uuid, err);
        }
      }
    });
    return { failures, released };
  }

  /** True when the node held the lease and was taken back. Driver errors propagate. */
  private async takeBack(lease: LeaseEntity, parent: LeaseEntity | null, now: UtcTime): Promise<boolean> {
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

function byResource(planned: readonly PlannedTransition[]): Map<string, PlannedTransition[]> {
  const groups = new Map<string, PlannedTransition[]>();
  for (const p of planned) {
    const key = `${p.lease.resourceType}/${p.lease.resourceUuid}`;
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  return groups;
}

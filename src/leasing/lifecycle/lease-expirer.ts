import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { LEASE_CAN_DELETE, LeaseStatus, OFFER_CAN_DELETE } from '../data/statuses';
import { TransactionRunner } from '../../db/transaction-runner';
import { ConsoleAuthTokensRepository } from '../../console/tokens/console-auth-tokens.repository';
import { LeaseEntity } from '../data/lease.entity';
import { LeasesRepository } from '../data/leases.repository';
import { OffersRepository } from '../data/offers.repository';
import { EXPIRABLE, LeaseTransitions, TransitionOutcome } from './lease-transitions';
import { NodeRelease } from './node-release';
import { DELETION_EVENTS, driverFailures, TransitionWriter } from './transition-writer';

/** Driver calls one expiry transaction runs at once, as LeaseFulfiller. */
const DRIVER_CALLS_AT_ONCE = 8;

/**
 * The manager's expiry of leases whose `end_time` has passed (service.md B.4, K-23), many
 * leases per transaction as LeaseFulfiller: rows locked together, resource locks in one
 * statement, each node released (NodeRelease, 8 at a time), then the console tokens of the
 * released nodes, the events, the status changes and the back-off bookkeeping with one
 * statement each. A lease with sub-leases or sub-offers is expired on its own by
 * LeaseTransitions, which ends the children first.
 */
@Injectable()
export class LeaseExpirer {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly leases: LeasesRepository,
    private readonly offers: OffersRepository,
    private readonly nodes: NodeRelease,
    private readonly consoleTokens: ConsoleAuthTokensRepository,
    private readonly writer: TransitionWriter,
    private readonly transitions: LeaseTransitions,
  ) {}

  /** The outcome for each of `uuids`: `skipped` for those not ended, gone, or already ended. */
  async expire(uuids: readonly string[]): Promise<Map<string, TransitionOutcome>> {
    const outcomes = new Map<string, TransitionOutcome>(uuids.map((uuid) => [uuid, 'skipped']));
    const [leaseParents, offerParents] = await Promise.all([
      this.leases.parentsAmong(uuids, LEASE_CAN_DELETE),
      this.offers.parentsAmong(uuids, OFFER_CAN_DELETE),
    ]);
    const withChildren = uuids.filter((uuid) => leaseParents.has(uuid) || offerParents.has(uuid));
    for (const uuid of withChildren) outcomes.set(uuid, await this.transitions.expireLease(uuid));
    const leaves = uuids.filter((uuid) => !withChildren.includes(uuid));
    for (const [uuid, outcome] of await this.expireLeaves(leaves)) outcomes.set(uuid, outcome);
    return outcomes;
  }

  private expireLeaves(uuids: readonly string[]): Promise<Map<string, TransitionOutcome>> {
    return this.tx.run(async (em) => {
      const now = this.clock.now();
      const ended = (await this.leases.takeManyForProcessing(em, uuids)).filter(
        (lease) => EXPIRABLE.includes(lease.status) && lease.endTime <= now,
      );
      if (ended.length === 0) return new Map<string, TransitionOutcome>();
      await this.tx.lockResources(em, ended);
      const parentUuids = [...new Set(ended.map((l) => l.parentLeaseUuid).filter((p): p is string => p !== null))];
      const parents = new Map((await this.leases.findByUuids(parentUuids, em)).map((p) => [p.uuid, p]));
      const released: LeaseEntity[] = [];
      const failures = await driverFailures(ended, DRIVER_CALLS_AT_ONCE, async (lease) => {
        const parent = lease.parentLeaseUuid ? (parents.get(lease.parentLeaseUuid) ?? null) : null;
        if (await this.nodes.release(lease, parent, now)) released.push(lease);
      });
      await this.consoleTokens.deleteForNodes(
        released.map((lease) => lease.resourceUuid),
        em,
      );
      return this.writer.write(em, ended, failures, now, {
        events: DELETION_EVENTS,
        from: EXPIRABLE,
        done: { status: LeaseStatus.EXPIRED, expireTime: now },
        waitStatus: LeaseStatus.WAIT_EXPIRE,
      });
    });
  }
}

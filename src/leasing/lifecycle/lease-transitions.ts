import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { ConsoleAuthTokensRepository } from '../../console/tokens/console-auth-tokens.repository';
import { LEASE_CAN_DELETE, LeaseStatus, OFFER_CAN_DELETE, OfferStatus } from '../data/statuses';
import { UtcTime } from '../../common/time';
import { TransactionRunner } from '../../db/transaction-runner';
import { LeaseEntity } from '../data/lease.entity';
import { LeasesRepository } from '../data/leases.repository';
import { OfferEntity } from '../data/offer.entity';
import { OffersRepository } from '../data/offers.repository';
import { NodeRelease } from './node-release';
import { DELETION_EVENTS, driverFailures, TransitionWriter } from './transition-writer';

/** Statuses each transition may start from (service.md B.4, K-23 adds `error` to expiry). */
const CANCELLABLE: readonly string[] = [...LEASE_CAN_DELETE, LeaseStatus.WAIT_CANCEL];
export const EXPIRABLE: readonly string[] = [
  LeaseStatus.ACTIVE,
  LeaseStatus.CREATED,
  LeaseStatus.WAIT_EXPIRE,
  LeaseStatus.WAIT_FULFILL,
  LeaseStatus.ERROR,
];

/** What one transition attempt did, for the manager's counters and logs. */
export type TransitionOutcome = 'done' | 'skipped' | 'retry' | 'failed';

/**
 * Lease and offer state changes that take a node back (api.md 3.7.7, service.md B.4–B.6),
 * shared by the API and the manager; giving nodes is LeaseFulfiller's. Each runs under the
 * resource lock, re-reads the row, transitions it with compare-and-set and writes its events
 * in the same transaction (decisions.md 9, 11). A driver failure moves the lease to its
 * `wait …` status with back-off (DriverFailureBackoff, decisions.md 10).
 */
@Injectable()
export class LeaseTransitions {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly leases: LeasesRepository,
    private readonly offers: OffersRepository,
    private readonly writer: TransitionWriter,
    private readonly nodes: NodeRelease,
    private readonly consoleTokens: ConsoleAuthTokensRepository,
  ) {}

  /**
   * Ends a lease: its sub-leases and sub-offers first, then its hold on the node. The manager
   * calls it at `end_time`; cascades call it for children regardless of their own times.
   */
  async expireLease(uuid: string, cascade = false): Promise<TransitionOutcome> {
    const statuses = cascade ? LEASE_CAN_DELETE : EXPIRABLE;
    for (const child of await this.leases.findByParentLease(uuid, LEASE_CAN_DELETE)) await this.expireLease(child.uuid, true);
    for (const offer of await this.offers.findByParentLease(uuid, OFFER_CAN_DELETE)) await this.expireOffer(offer.uuid, true);
    return this.tx.run(async (em) => {
      const lease = await this.takeLease(em, uuid);
      const now = this.clock.now();
      if (!lease || !statuses.includes(lease.status) || (!cascade && lease.endTime > now)) return 'skipped';
      return this.release(em, lease, now, statuses, LeaseStatus.EXPIRED, LeaseStatus.WAIT_EXPIRE);
    });
  }

  /** Cancels a lease (API DELETE, offer cancel, manager retry of `wait cancel`). */
  async cancelLease(lease: LeaseEntity): Promise<TransitionOutcome> {
    for (const child of await this.leases.findByParentLease(lease.uuid, LEASE_CAN_DELETE)) await this.cancelLease(child);
    for (const offer of await this.offers.findByParentLease(lease.uuid, OFFER_CAN_DELETE)) await this.cancelOffer(offer);
    return this.tx.run(async (em) => {
      const current = await this.takeLease(em, lease.uuid);
      if (!current || !CANCELLABLE.includes(current.status)) return 'skipped';
      return this.release(em, current, this.clock.now(), CANCELLABLE, LeaseStatus.DELETED, LeaseStatus.WAIT_CANCEL);
    });
  }

  /** Cancels an offer: every lease claimed from it, then the offer itself. */
  async cancelOffer(offer: OfferEntity): Promise<void> {
    for (const lease of await this.leases.findByOffer(offer.uuid, LEASE_CAN_DELETE)) await this.cancelLease(lease);
    await this.finishOffer(offer.uuid, OfferStatus.DELETED);
  }

  /** Expires an offer at its end (or with its parent lease): its leases first. */
  async expireOffer(uuid: string, cascade = false): Promise<TransitionOutcome> {
    const offer = await this.offers.findByUuid(uuid);
    if (!offer || !OFFER_CAN_DELETE.includes(offer.status) || (!cascade && offer.endTime > this.clock.now())) {
      return 'skipped';
    }
    for (const lease of await this.leases.findByOffer(uuid, LEASE_CAN_DELETE)) await this.expireLease(lease.uuid, true);
    return (await this.finishOffer(uuid, OfferStatus.EXPIRED)) ? 'done' : 'skipped';
  }

  private finishOffer(uuid: string, status: string): Promise<boolean> {
    return this.tx.run(async (em) => {
      const offer = await this.offers.findByUuid(uuid, em);
      if (!offer) return false;
      await this.tx.lockResource(em, offer.resourceType, offer.resourceUuid);
      return this.offers.transition(em, uuid, OFFER_CAN_DELETE, status, this.clock.now());
    });
  }

  /**
   * Reads the lease for processing inside the current transaction: on MySQL the row is locked
   * (`FOR UPDATE`), so a second manager or an API cancel waits for the first and then finds
   * the lease already changed; on SQLite the transaction holds the only write lock. Then the
   * resource lock serialises against the API.
   */
  private async takeLease(em: EntityManager, uuid: string): Promise<LeaseEntity | null> {
    const lease = await this.leases.takeForProcessing(em, uuid);
    if (lease) await this.tx.lockResource(em, lease.resourceType, lease.resourceUuid);
    return lease;
  }

  /** Node released → delete.start + delete.end → final status; or delete.start + delete.error and a retry. */
  private async release(
    em: EntityManager,
    lease: LeaseEntity,
    now: UtcTime,
    from: readonly string[],
    finalStatus: string,
    waitStatus: string,
  ): Promise<TransitionOutcome> {
    const failures = await driverFailures([lease], 1, () => this.releaseResource(em, lease, now));
    const outcomes = await this.writer.write(em, [lease], failures, now, {
      events: DELETION_EVENTS,
      from,
      done: { status: finalStatus, expireTime: now },
      waitStatus,
    });
    return outcomes.get(lease.uuid)!;
  }

  private async releaseResource(em: EntityManager, lease: LeaseEntity, now: UtcTime): Promise<void> {
    const parent = lease.parentLeaseUuid ? await this.leases.findByUuid(lease.parentLeaseUuid, em) : null;
    if (await this.nodes.release(lease, parent, now)) await this.consoleTokens.deleteForNode(lease.resourceUuid, em);
  }
}

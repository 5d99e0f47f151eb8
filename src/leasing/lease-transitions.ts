import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { Clock } from '../common/clock';
import { ConsoleAuthTokensRepository } from '../console/console-auth-tokens.repository';
import { LEASE_CAN_DELETE, LeaseStatus, OFFER_CAN_DELETE, OfferStatus } from '../common/statuses';
import { addSeconds, UtcTime } from '../common/time';
import { TransactionRunner } from '../db/transaction-runner';
import { EventRecorder, LeaseEventType } from '../events/event-recorder';
import { LeaseEntity } from '../leases/entities/lease.entity';
import { LeasesRepository } from '../leases/leases.repository';
import { ResourceDriverRegistry } from '../nodes/drivers/resource-driver.registry';
import { OfferEntity } from '../offers/entities/offer.entity';
import { OffersRepository } from '../offers/offers.repository';
import { LeaseRetriesRepository } from './lease-retries.repository';

/** Statuses each transition may start from (service.md B.3/B.4, K-23 adds `error` to expiry). */
const CANCELLABLE: readonly string[] = [...LEASE_CAN_DELETE, LeaseStatus.WAIT_CANCEL];
export const FULFILLABLE: readonly string[] = [LeaseStatus.CREATED, LeaseStatus.WAIT_FULFILL];
export const EXPIRABLE: readonly string[] = [
  LeaseStatus.ACTIVE,
  LeaseStatus.CREATED,
  LeaseStatus.WAIT_EXPIRE,
  LeaseStatus.WAIT_FULFILL,
  LeaseStatus.ERROR,
];

/** Statuses a driver failure leaves a lease in; only these have a `lease_retries` row. */
const RETRYING: readonly string[] = [
  LeaseStatus.WAIT_FULFILL,
  LeaseStatus.WAIT_EXPIRE,
  LeaseStatus.WAIT_CANCEL,
  LeaseStatus.ERROR,
];

/** What one transition attempt did, for the manager's counters and logs. */
export type TransitionOutcome = 'done' | 'skipped' | 'retry' | 'failed';

/**
 * Lease and offer state changes that touch the resource (api.md 3.7.7, service.md B.4–B.6),
 * shared by the API and the manager. Each runs under the resource lock, re-reads the row,
 * transitions it with compare-and-set and writes its events in the same transaction
 * (decisions.md 9, 11). A driver failure moves the lease to its `wait …` status with an
 * exponential back-off, and to `error` after `[manager] max_attempts` (decisions.md 10).
 */
@Injectable()
export class LeaseTransitions {
  private readonly logger = new Logger('esi-leap.leases');

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly leases: LeasesRepository,
    private readonly offers: OffersRepository,
    private readonly retries: LeaseRetriesRepository,
    private readonly events: EventRecorder,
    private readonly drivers: ResourceDriverRegistry,
    private readonly consoleTokens: ConsoleAuthTokensRepository,
  ) {}

  /** Gives the node to a due lease (`created`/`wait fulfill`, `start <= now <= end`). */
  fulfillLease(uuid: string): Promise<TransitionOutcome> {
    return this.tx.run(async (em) => {
      const lease = await this.takeLease(em, uuid);
      const now = this.clock.now();
      if (!lease || !FULFILLABLE.includes(lease.status) || lease.startTime > now || lease.endTime < now) return 'skipped';
      await this.events.record(em, 'esi_leap.lease.fulfill.start', lease, now);
      try {
        await this.drivers.get(lease.resourceType).setLease(lease.resourceUuid, lease);
      } catch (err) {
        return this.driverFailed(em, lease, 'esi_leap.lease.fulfill.error', LeaseStatus.WAIT_FULFILL, FULFILLABLE, now, err);
      }
      await this.events.record(em, 'esi_leap.lease.fulfill.end', lease, now);
      await this.leases.transition(em, uuid, FULFILLABLE, { status: LeaseStatus.ACTIVE, fulfillTime: now }, now);
      await this.clearRetries(em, lease);
      this.logTransition(lease, LeaseStatus.ACTIVE);
      return 'done';
    });
  }

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
      // A cancel waits for a manager working on the lease instead of skipping it: the caller
      // was told the lease is cancelled.
      const current = await this.takeLease(em, lease.uuid, false);
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
   * Reads the lease for processing inside the current transaction: on MySQL the row is taken
   * with `FOR UPDATE SKIP LOCKED`, so another manager already working on it is skipped rather
   * than waited for (a cancel waits instead), and nobody can change it until this transaction
   * ends (on SQLite the transaction holds the only write lock); then the resource lock
   * serialises against the API.
   */
  private async takeLease(em: EntityManager, uuid: string, skipLocked = true): Promise<LeaseEntity | null> {
    const lease = await this.leases.takeForProcessing(em, uuid, skipLocked);
    if (lease) await this.tx.lockResource(em, lease.resourceType, lease.resourceUuid);
    return lease;
  }

  /** delete.start → node released → delete.end → final status; or delete.error and a retry. */
  private async release(
    em: EntityManager,
    lease: LeaseEntity,
    now: UtcTime,
    from: readonly string[],
    finalStatus: string,
    waitStatus: string,
  ): Promise<TransitionOutcome> {
    await this.events.record(em, 'esi_leap.lease.delete.start', lease, now);
    try {
      await this.releaseResource(em, lease, now);
    } catch (err) {
      return this.driverFailed(em, lease, 'esi_leap.lease.delete.error', waitStatus, from, now, err);
    }
    await this.events.record(em, 'esi_leap.lease.delete.end', lease, now);
    await this.leases.transition(em, lease.uuid, from, { status: finalStatus, expireTime: now }, now);
    await this.clearRetries(em, lease);
    this.logTransition(lease, finalStatus);
    return 'done';
  }

  /**
   * Takes the lease off its node if the node still holds it (a vanished node has nothing to
   * clean, K-10), then hands the node back to the parent lease only while that parent is
   * active and inside its window (K-11).
   */
  private async releaseResource(em: EntityManager, lease: LeaseEntity, now: UtcTime): Promise<void> {
    const driver = this.drivers.find(lease.resourceType);
    if (!driver) return;
    const node = await driver.get(lease.resourceUuid);
    if (!node || node.leaseUuid !== lease.uuid) return;
    await driver.removeLease(lease.resourceUuid, lease);
    // The next holder must not inherit a way into this node's console (service.md E.2 step 4).
    await this.consoleTokens.deleteForNode(lease.resourceUuid, em);
    if (!lease.parentLeaseUuid) return;
    const parent = await this.leases.findByUuid(lease.parentLeaseUuid, em);
    if (parent && parent.status === LeaseStatus.ACTIVE && now < parent.endTime) {
      await driver.setLease(lease.resourceUuid, parent);
    }
  }

  /** Only a lease that failed before (now waiting or in error) has back-off bookkeeping. */
  private async clearRetries(em: EntityManager, lease: LeaseEntity): Promise<void> {
    if (RETRYING.includes(lease.status)) await this.retries.clear(em, lease.uuid);
  }

  private async driverFailed(
    em: EntityManager,
    lease: LeaseEntity,
    errorEvent: LeaseEventType,
    waitStatus: string,
    from: readonly string[],
    now: UtcTime,
    err: unknown,
  ): Promise<TransitionOutcome> {
    const { max_attempts: maxAttempts, retry_backoff_base: base, retry_backoff_max: cap } = this.config.manager;
    const attempts = (await this.retries.attempts(em, lease.uuid)) + 1;
    const exhausted = attempts >= maxAttempts;
    const status = exhausted ? LeaseStatus.ERROR : waitStatus;
    await this.events.record(em, errorEvent, lease, now);
    await this.leases.transition(em, lease.uuid, from, { status }, now);
    const delay = Math.min(base * 2 ** (attempts - 1), cap);
    await this.retries.recordFailure(em, lease.uuid, attempts, addSeconds(now, delay), String(err));
    this.logger.warn(
      JSON.stringify({
        event: 'lease.driver_failure',
        lease: lease.uuid,
        resource: `${lease.resourceType}/${lease.resourceUuid}`,
        from: lease.status,
        to: status,
        attempt: attempts,
        retry_in_s: exhausted ? null : delay,
        error: String(err),
      }),
    );
    return exhausted ? 'failed' : 'retry';
  }

  private logTransition(lease: LeaseEntity, to: string): void {
    this.logger.log(
      JSON.stringify({ event: 'lease.transition', lease: lease.uuid, resource: `${lease.resourceType}/${lease.resourceUuid}`, from: lease.status, to }),
    );
  }
}

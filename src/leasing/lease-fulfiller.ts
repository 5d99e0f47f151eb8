import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { LeaseStatus } from '../common/statuses';
import { UtcTime } from '../common/time';
import { TransactionRunner } from '../db/transaction-runner';
import { EventRecorder } from '../events/event-recorder';
import { LeaseEntity } from '../leases/entities/lease.entity';
import { LeasesRepository } from '../leases/leases.repository';
import { ResourceDriverRegistry } from '../nodes/drivers/resource-driver.registry';
import { DriverFailureBackoff, logTransition } from './driver-failure-backoff';
import { inParallel } from '../common/in-parallel';
import type { TransitionOutcome } from './lease-transitions';

/** Statuses a lease is fulfilled from (service.md B.3). */
export const FULFILLABLE: readonly string[] = [LeaseStatus.CREATED, LeaseStatus.WAIT_FULFILL];

/** Driver calls one fulfilment runs at once: they are independent nodes, and Ironic calls are slow. */
const DRIVER_CALLS_AT_ONCE = 8;

/**
 * Gives their nodes to due leases (`created`/`wait fulfill`, `start <= now <= end`), many
 * leases per transaction: the lease rows are taken together (`FOR UPDATE` on MySQL: a second
 * manager waits, then finds them active), their resources locked in one statement, the
 * driver called for each, and the events, status changes and back-off bookkeeping written
 * with one statement each (decisions.md 9, 11). A driver failure only
 * affects its own lease: `fulfill.error` and `wait fulfill` with back-off (decisions.md 10).
 * A statement per lease instead of per batch made the manager round-trip bound
 * (docs/performance.md).
 */
@Injectable()
export class LeaseFulfiller {
  private readonly logger = new Logger('esi-leap.leases');

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly leases: LeasesRepository,
    private readonly events: EventRecorder,
    private readonly drivers: ResourceDriverRegistry,
    private readonly backoff: DriverFailureBackoff,
  ) {}

  /** The outcome for each of `uuids`: `skipped` for those not due, gone, or held elsewhere. */
  fulfil(uuids: readonly string[]): Promise<Map<string, TransitionOutcome>> {
    return this.tx.run(async (em) => {
      const outcomes = new Map<string, TransitionOutcome>(uuids.map((uuid) => [uuid, 'skipped']));
      const now = this.clock.now();
      const due = (await this.leases.takeManyForProcessing(em, uuids)).filter((lease) => isDue(lease, now));
      if (due.length === 0) return outcomes;
      await this.tx.lockResources(em, due);
      const failures = await this.giveNodes(due);
      const fulfilled = due.filter((lease) => !failures.has(lease));
      await this.events.record(
        em,
        due.flatMap((lease) => [
          { type: 'esi_leap.lease.fulfill.start' as const, lease },
          { type: failures.has(lease) ? ('esi_leap.lease.fulfill.error' as const) : ('esi_leap.lease.fulfill.end' as const), lease },
        ]),
        now,
      );
      await this.leases.transitionMany(
        em,
        fulfilled.map((lease) => lease.uuid),
        FULFILLABLE,
        { status: LeaseStatus.ACTIVE, fulfillTime: now },
        now,
      );
      await this.backoff.succeeded(em, fulfilled);
      for (const lease of fulfilled) {
        outcomes.set(lease.uuid, 'done');
        logTransition(this.logger, lease, LeaseStatus.ACTIVE);
      }
      for (const [lease, err] of failures) {
        outcomes.set(lease.uuid, await this.backoff.failed(em, lease, LeaseStatus.WAIT_FULFILL, FULFILLABLE, now, err));
      }
      return outcomes;
    });
  }

  /** Calls the driver for each lease; returns the failures. */
  private async giveNodes(leases: readonly LeaseEntity[]): Promise<Map<LeaseEntity, unknown>> {
    const failures = new Map<LeaseEntity, unknown>();
    await inParallel(leases, DRIVER_CALLS_AT_ONCE, async (lease) => {
      try {
        await this.drivers.get(lease.resourceType).setLease(lease.resourceUuid, lease);
      } catch (err) {
        failures.set(lease, err);
      }
    });
    return failures;
  }
}

function isDue(lease: LeaseEntity, now: UtcTime): boolean {
  return FULFILLABLE.includes(lease.status) && lease.startTime <= now && lease.endTime >= now;
}

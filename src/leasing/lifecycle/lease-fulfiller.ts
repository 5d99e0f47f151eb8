import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { LeaseStatus } from '../data/statuses';
import { UtcTime } from '../../common/time';
import { TransactionRunner } from '../../db/transaction-runner';
import { LeaseEntity } from '../data/lease.entity';
import { LeasesRepository } from '../data/leases.repository';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';
import type { TransitionOutcome } from './lease-transitions';
import { driverFailures, FULFILMENT_EVENTS, TransitionWriter } from './transition-writer';

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
  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly leases: LeasesRepository,
    private readonly drivers: ResourceDriverRegistry,
    private readonly writer: TransitionWriter,
  ) {}

  /** The outcome for each of `uuids`: `skipped` for those not due, gone, or held elsewhere. */
  fulfil(uuids: readonly string[]): Promise<Map<string, TransitionOutcome>> {
    return this.tx.run(async (em) => {
      const outcomes = new Map<string, TransitionOutcome>(uuids.map((uuid) => [uuid, 'skipped']));
      const now = this.clock.now();
      const due = (await this.leases.takeManyForProcessing(em, uuids)).filter((lease) => isDue(lease, now));
      if (due.length === 0) return outcomes;
      await this.tx.lockResources(em, due);
      const failures = await driverFailures(due, DRIVER_CALLS_AT_ONCE, (lease) =>
        this.drivers.get(lease.resourceType).setLease(lease.resourceUuid, lease),
      );
      const written = await this.writer.write(em, due, failures, now, {
        events: FULFILMENT_EVENTS,
        from: FULFILLABLE,
        done: { status: LeaseStatus.ACTIVE, fulfillTime: now },
        waitStatus: LeaseStatus.WAIT_FULFILL,
      });
      for (const [uuid, outcome] of written) outcomes.set(uuid, outcome);
      return outcomes;
    });
  }
}

function isDue(lease: LeaseEntity, now: UtcTime): boolean {
  return FULFILLABLE.includes(lease.status) && lease.startTime <= now && lease.endTime >= now;
}

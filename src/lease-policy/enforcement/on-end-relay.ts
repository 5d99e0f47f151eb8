import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { TransactionRunner } from '../../db/transaction-runner';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';
import { LeasesRepository } from '../../leasing/data/leases.repository';
import { blazarContext, blazarLease } from './blazar-bodies';
import { EnforcementClient } from './enforcement-client';
import { EventEntity } from '../../leasing/data/event.entity';
import { OutboxConsumer } from '../../outbox/outbox-consumer';
import { OutboxCursorsRepository } from '../../outbox/outbox-cursors.repository';

/** The event that says a lease's node was taken back: it expired or was cancelled. */
export const LEASE_ENDED_EVENT = 'esi_leap.lease.delete.end';
/** This consumer's cursor in the events outbox. */
export const ON_END_CURSOR = 'enforcement_on_end';
/**
 * Passes an undeliverable on-end may fail before it is given up (with an error logged): Blazar
 * promises no delivery of it either, and one dead endpoint must not hold back the ones after.
 */
export const MOST_ATTEMPTS = 10;

/**
 * Tells the external enforcement service about every lease that ended (`POST {url}/on-end`),
 * from the events outbox with a cursor of its own (OutboxConsumer): a lease whose
 * `esi_leap.lease.delete.end` event committed is reported at least once, whichever manager
 * runs, whatever crashed in between, in event order. It runs outside any lock or request.
 */
@Injectable()
export class OnEndRelay {
  private readonly logger = new Logger('esi-leap.enforcement');
  private readonly failures = new Map<number, number>();
  private readonly consumer: OutboxConsumer;

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    tx: TransactionRunner,
    clock: Clock,
    cursors: OutboxCursorsRepository,
    private readonly client: EnforcementClient,
    private readonly leases: LeasesRepository,
    private readonly drivers: ResourceDriverRegistry,
  ) {
    this.consumer = new OutboxConsumer({ cursor: ON_END_CURSOR, logger: this.logger }, tx, clock, cursors);
  }

  /** One pass over the events after the cursor; returns how many were looked at. Throws when an on-end failed. */
  relayPending(): Promise<number> {
    return this.consumer.pass(async (event) => {
      if (event.eventType === LEASE_ENDED_EVENT) await this.deliver(event);
    });
  }

  /** True when the service took it; false when there was nothing to send or it was given up. */
  private async deliver(event: EventEntity): Promise<boolean> {
    const lease = event.objectUuid ? await this.leases.findByUuid(event.objectUuid) : null;
    if (!lease) return false;
    const info = (await this.drivers.find(lease.resourceType)?.get(lease.resourceUuid)) ?? null;
    const body = {
      context: blazarContext(this.config, null, lease.projectId),
      lease: blazarLease(
        {
          uuid: lease.uuid,
          name: lease.name,
          start: lease.startTime,
          end: lease.endTime,
          userId: null,
          projectId: lease.projectId,
          status: lease.status,
        },
        [{ ...lease, info }],
      ),
    };
    const answer = await this.client.post('on-end', body);
    // A 403 to on-end is the service's business: what Blazar does with it is log it.
    if (answer.kind !== 'failed') {
      this.failures.delete(event.id);
      return answer.kind === 'allowed';
    }
    const attempts = (this.failures.get(event.id) ?? 0) + 1;
    if (attempts >= MOST_ATTEMPTS) {
      this.failures.delete(event.id);
      this.logger.error(`on-end of lease ${lease.uuid} given up after ${attempts} attempts: ${answer.reason}`);
      return false;
    }
    this.failures.set(event.id, attempts);
    throw new Error(`on-end of lease ${lease.uuid} failed (attempt ${attempts}): ${answer.reason}`);
  }
}

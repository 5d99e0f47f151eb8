import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Clock } from '../../common/clock';
import { addSeconds } from '../../common/time';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { AsyncMutex } from '../../db/async-mutex';
import { TransactionRunner } from '../../db/transaction-runner';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';
import { LeasesRepository } from '../../leasing/data/leases.repository';
import { blazarContext, blazarLease } from './blazar-bodies';
import { EnforcementClient } from './enforcement-client';
import { OnEndCursorRepository, OutboxEvent } from './on-end-cursor.repository';

/** The event that says a lease's node was taken back: it expired or was cancelled. */
export const LEASE_ENDED_EVENT = 'esi_leap.lease.delete.end';
const BATCH_SIZE = 100;
/** As the notification relay's: renewed every third of this while a pass runs. */
const CLAIM_SECONDS = 6;
/**
 * Passes an undeliverable on-end may fail before it is given up (with an error logged): Blazar
 * promises no delivery of it either, and one dead endpoint must not hold back the ones after.
 */
export const MOST_ATTEMPTS = 10;
const MOST_GAP_IDS_PROBED = 500;

/**
 * Tells the external enforcement service about every lease that ended (`POST {url}/on-end`),
 * from the events outbox with a cursor of its own (`enforcement_on_end`): a lease whose
 * `esi_leap.lease.delete.end` event committed is reported at least once, whichever manager
 * runs, whatever crashed in between, in event order. It runs outside any lock or request.
 */
@Injectable()
export class OnEndRelay {
  private readonly logger = new Logger('esi-leap.enforcement');
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly failures = new Map<number, number>();
  /** Passes of this process never overlap (they would share the claim). */
  private readonly passes = new AsyncMutex();
  private cursorExists = false;
  /** Missing ids seen once already: skipped as rolled back when still missing and unlocked. */
  private readonly suspectGaps = new Set<number>();

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly cursor: OnEndCursorRepository,
    private readonly client: EnforcementClient,
    private readonly leases: LeasesRepository,
    private readonly drivers: ResourceDriverRegistry,
  ) {}

  /** One pass over the events after the cursor; returns how many on-ends were sent. Throws when one failed. */
  relayPending(): Promise<number> {
    return this.passes.runExclusive(() => this.pass());
  }

  private async pass(): Promise<number> {
    const now = this.clock.now();
    const position = await this.tx.run(async (em) => {
      if (!this.cursorExists) await this.cursor.ensure(em);
      return this.cursor.claim(em, this.holder, now, addSeconds(now, CLAIM_SECONDS));
    });
    this.cursorExists = true;
    if (position === null) return 0;
    let last = position;
    let sent = 0;
    const renewal = setInterval(() => void this.renewClaim(), (CLAIM_SECONDS * 1000) / 3).unref();
    try {
      for (;;) {
        const events = await this.tx.run((em) => this.cursor.eventsAfter(em, last, BATCH_SIZE));
        const ready = await this.committedPrefix(events, last);
        for (const event of ready) {
          if (event.eventType === LEASE_ENDED_EVENT && (await this.deliver(event))) sent++;
          const at = this.clock.now();
          const kept = await this.tx.run((em) =>
            this.cursor.advance(em, this.holder, event.id, at, addSeconds(at, CLAIM_SECONDS)),
          );
          if (!kept) return sent;
          last = event.id;
        }
        if (ready.length < events.length || events.length < BATCH_SIZE) return sent;
      }
    } finally {
      clearInterval(renewal);
      await this.tx.run((em) => this.cursor.release(em, this.holder));
    }
  }

  /** True when the service took it; false when there was nothing to send or it was given up. */
  private async deliver(event: OutboxEvent): Promise<boolean> {
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

  private async renewClaim(): Promise<void> {
    const now = this.clock.now();
    try {
      await this.tx.run((em) => this.cursor.claim(em, this.holder, now, addSeconds(now, CLAIM_SECONDS)));
    } catch (err) {
      // A lapsed claim costs at most a repeated on-end by the next holder.
      this.logger.warn(`could not renew the on-end cursor claim: ${String(err)}`);
    }
  }

  /**
   * The events up to the first id that may still commit, as the notification relay reads the
   * outbox: a missing id neither there nor locked is skipped on the second look, since an id
   * is allocated a moment before its row exists.
   */
  private async committedPrefix(events: OutboxEvent[], last: number): Promise<OutboxEvent[]> {
    let expected = last + 1;
    for (let i = 0; i < events.length; i++) {
      const id = events[i].id;
      if (id !== expected) {
        const missing = Array.from({ length: Math.min(id - expected, MOST_GAP_IDS_PROBED) }, (_, k) => expected + k);
        if (await this.tx.run((em) => this.cursor.mayStillAppear(em, missing))) return events.slice(0, i);
        if (!missing.every((m) => this.suspectGaps.has(m))) {
          missing.forEach((m) => this.suspectGaps.add(m));
          return events.slice(0, i);
        }
        missing.forEach((m) => this.suspectGaps.delete(m));
      }
      expected = id + 1;
    }
    return events;
  }
}

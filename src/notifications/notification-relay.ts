import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import { Clock } from '../common/clock';
import { addSeconds } from '../common/time';
import { TransactionRunner } from '../db/transaction-runner';
import { EventEntity } from '../leasing/data/event.entity';
import { LeasesRepository } from '../leasing/data/leases.repository';
import { ResourceDriverRegistry } from '../drivers/resource-driver.registry';
import { AsyncMutex } from '../db/async-mutex';
import { LeaseSnapshotsRepository } from '../leasing/data/lease-snapshots.repository';
import {
  leaseCrudPayload,
  leasePayloadFields,
  LeasePayloadFields,
  nodePayloadFields,
  payloadFromSnapshot,
} from './lease-crud-payload';
import { uuid5 } from './message-ids';
import { NotificationOutboxRepository } from './notification-outbox.repository';
import { NOTIFIER_SETTINGS, OSLO_NOTIFIER } from './notifications.tokens';
import { NotifierSettings } from './notifier-settings';
import { OsloNotificationClient } from './oslo-notification.client';
import { OutgoingNotification } from './oslo-message';

export const RABBIT_CURSOR = 'rabbit';
const BATCH_SIZE = 100;
/**
 * How long the relay's claim outlives its last renewal: the holder renews it every third of
 * this while a pass runs, so after a crash another manager takes over within this long.
 */
const CLAIM_SECONDS = 6;
/** Attempts per event in one pass when `retry` is -1 ("for ever"): later passes keep trying. */
const ATTEMPTS_WHEN_UNBOUNDED = 3;
const FIRST_RETRY_DELAY_MS = 500;
const MOST_GAP_IDS_PROBED = 500;

/**
 * Publishes the `events` outbox to RabbitMQ (decisions.md 11): events after the cursor, in id
 * order, one at a time, the cursor advanced once the broker has confirmed. At least once: a
 * failure between confirm and cursor update re-sends, with the same message id. Runs outside
 * any lock or request; of several managers only the one holding the cursor claim publishes.
 */
@Injectable()
export class NotificationRelay {
  private readonly logger = new Logger('esi-leap.notifications');
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** Passes of this process never overlap (they would share the claim). */
  private readonly passes = new AsyncMutex();
  /** Missing ids seen once already: skipped when still missing, and unlocked, on the next look. */
  private readonly suspectGaps = new Set<number>();

  constructor(
    @Inject(NOTIFIER_SETTINGS) private readonly settings: NotifierSettings,
    @Inject(OSLO_NOTIFIER) private readonly client: OsloNotificationClient,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly outbox: NotificationOutboxRepository,
    private readonly leases: LeasesRepository,
    private readonly snapshots: LeaseSnapshotsRepository,
    private readonly drivers: ResourceDriverRegistry,
  ) {}

  /**
   * One pass: publishes everything pending and returns how many events went out. Throws when
   * an event could not be published after its attempts; the cursor stays before it.
   */
  relayPending(): Promise<number> {
    return this.passes.runExclusive(() => this.pass());
  }

  /** With notifications off, moves the cursor past everything, so enabling them later does not replay history. */
  skipPending(): Promise<void> {
    return this.tx.run((em) => this.outbox.skipToNewest(em, RABBIT_CURSOR, this.clock.now()));
  }

  private async pass(): Promise<number> {
    const now = this.clock.now();
    const cursor = await this.tx.run((em) =>
      this.outbox.claim(em, RABBIT_CURSOR, this.holder, now, addSeconds(now, CLAIM_SECONDS)),
    );
    if (!cursor) return 0;
    let last = cursor.lastEventId;
    let published = 0;
    // Renewed apart from the events, so a publish that waits on the broker keeps the claim.
    const renewal = setInterval(() => void this.renewClaim(), (CLAIM_SECONDS * 1000) / 3).unref();
    try {
      for (;;) {
        const events = await this.tx.run((em) => this.outbox.eventsAfter(em, last, BATCH_SIZE));
        const ready = await this.committedPrefix(events, last);
        const snapshots = await this.tx.run((em) =>
          this.snapshots.find(
            em,
            ready.map((e) => e.id),
          ),
        );
        for (const event of ready) {
          const snapshot = snapshots.get(event.id);
          await this.publishWithRetries(event, cursor.identity, snapshot && payloadFromSnapshot(snapshot));
          const at = this.clock.now();
          const kept = await this.tx.run((em) =>
            this.outbox.advance(em, RABBIT_CURSOR, this.holder, event.id, at, addSeconds(at, CLAIM_SECONDS)),
          );
          if (!kept) return published;
          last = event.id;
          published++;
        }
        if (ready.length < events.length || events.length < BATCH_SIZE) return published;
      }
    } finally {
      clearInterval(renewal);
      await this.tx.run((em) => this.outbox.release(em, RABBIT_CURSOR, this.holder));
    }
  }

  private async renewClaim(): Promise<void> {
    const now = this.clock.now();
    try {
      await this.tx.run((em) => this.outbox.claim(em, RABBIT_CURSOR, this.holder, now, addSeconds(now, CLAIM_SECONDS)));
    } catch (err) {
      // A lapsed claim costs at most a duplicate publish by the next holder (at least once).
      this.logger.warn(`could not renew the relay claim: ${String(err)}`);
    }
  }

  /**
   * The events up to the first id that may still commit (a consumer must never miss an event
   * that appears later). A missing id whose row is neither there nor
   * locked belongs to a rolled-back transaction; it is skipped on the second look, since an id
   * is allocated a moment before its row exists.
   */
  private async committedPrefix(events: EventEntity[], last: number): Promise<EventEntity[]> {
    let expected = last + 1;
    for (let i = 0; i < events.length; i++) {
      const id = events[i].id;
      if (id !== expected) {
        const missing = Array.from({ length: Math.min(id - expected, MOST_GAP_IDS_PROBED) }, (_, k) => expected + k);
        if (await this.tx.run((em) => this.outbox.mayStillAppear(em, missing))) return events.slice(0, i);
        if (!missing.every((m) => this.suspectGaps.has(m))) {
          missing.forEach((m) => this.suspectGaps.add(m));
          return events.slice(0, i);
        }
        this.logger.warn(`events ${missing[0]}..${id - 1} were rolled back; skipping them`);
        missing.forEach((m) => this.suspectGaps.delete(m));
      }
      expected = id + 1;
    }
    return events;
  }

  private async publishWithRetries(
    event: EventEntity,
    identity: string,
    snapshot: LeasePayloadFields | undefined,
  ): Promise<void> {
    const attempts = this.settings.retry < 0 ? ATTEMPTS_WHEN_UNBOUNDED : this.settings.retry + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.publish(event, identity, snapshot);
        return;
      } catch (err) {
        this.logger.warn(
          `publishing event ${event.id} (${event.eventType}) failed, attempt ${attempt}/${attempts}: ${String(err)}`,
        );
        if (attempt >= attempts) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1)));
    }
  }

  private async publish(event: EventEntity, identity: string, snapshot: LeasePayloadFields | undefined): Promise<void> {
    const lease = snapshot ?? (await this.currentLease(event));
    if (!lease) {
      this.logger.error(`event ${event.id} (${event.eventType}) names no existing lease; nothing to publish`);
      return;
    }
    const node = (await this.drivers.find(lease.resource_type)?.get(lease.resource_uuid)) ?? null;
    const notification: OutgoingNotification = {
      payload: leaseCrudPayload(lease, nodePayloadFields(lease.resource_uuid, node)),
      priority: event.eventType.endsWith('.error') ? 'ERROR' : 'INFO',
      messageId: uuid5(identity, String(event.id)),
      timestamp: event.eventTime,
    };
    await lastValueFrom(this.client.emit(event.eventType, notification), { defaultValue: undefined });
  }

  /**
   * Events written before notifications were enabled in the writing process have no snapshot:
   * their payload shows the lease as it is now (a documented deviation for `*.end`).
   */
  private async currentLease(event: EventEntity): Promise<LeasePayloadFields | null> {
    if (event.objectType !== 'lease' || !event.objectUuid) return null;
    const lease = await this.leases.findByUuid(event.objectUuid);
    return lease ? leasePayloadFields(lease) : null;
  }
}

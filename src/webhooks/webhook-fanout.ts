import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { addSeconds } from '../common/time';
import { TransactionRunner } from '../db/transaction-runner';
import { EventEntity } from '../leasing/data/event.entity';
import { wantsEventType } from './webhook-payload';
import { DeliveryKey, WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookCursorRepository } from './webhook-cursor.repository';
import { WebhooksRepository } from './webhooks.repository';
import { WebhookEntity } from './webhook.entity';

const BATCH_SIZE = 200;
/** How long the cursor claim outlives its last renewal (renewed every third of it while a pass runs). */
const CLAIM_SECONDS = 6;
const MOST_GAP_IDS_PROBED = 500;

/** Thrown inside the advancing transaction when another manager took the cursor over: nothing is written. */
class CursorLost extends Error {}

/**
 * Turns events into pending deliveries: the events after the `webhooks` cursor, in id order,
 * each matched against the webhooks of its lessee and owner projects (those registered by the
 * time of the event, wanting its type), the delivery rows inserted in the transaction that
 * advances the cursor. A manager that dies mid-pass has written nothing for the events it had
 * not committed, and its claim lapses: every event becomes its deliveries exactly once.
 */
@Injectable()
export class WebhookFanout {
  private readonly logger = new Logger('esi-leap.webhooks');
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`.slice(-64);
  /** Missing ids seen once already: skipped when still missing, and not locked, on the next look. */
  private readonly suspectGaps = new Set<number>();

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly cursor: WebhookCursorRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {}

  /** One pass; returns how many deliveries it created (0 when another manager holds the cursor). */
  async pass(): Promise<number> {
    const now = this.clock.now();
    const claimed = await this.tx.run((em) => this.cursor.claim(em, this.holder, now, addSeconds(now, CLAIM_SECONDS)));
    if (!claimed) return 0;
    let last = claimed.lastEventId;
    let created = 0;
    const renewal = setInterval(() => void this.renew(), (CLAIM_SECONDS * 1000) / 3).unref();
    try {
      for (;;) {
        const events = await this.tx.run((em) => this.cursor.eventsAfter(em, last, BATCH_SIZE));
        const ready = await this.committedPrefix(events, last);
        if (ready.length > 0) {
          const keys = await this.deliveriesFor(ready);
          const through = ready[ready.length - 1].id;
          const at = this.clock.now();
          try {
            await this.tx.run(async (em) => {
              if (!(await this.cursor.advance(em, this.holder, through, at, addSeconds(at, CLAIM_SECONDS)))) {
                throw new CursorLost();
              }
              await this.deliveries.insertPending(em, keys, at);
            });
          } catch (err) {
            if (err instanceof CursorLost) return created;
            throw err;
          }
          last = through;
          created += keys.length;
        }
        if (ready.length < events.length || events.length < BATCH_SIZE) return created;
      }
    } finally {
      clearInterval(renewal);
      await this.tx.run((em) => this.cursor.release(em, this.holder));
    }
  }

  /** With webhooks off: the cursor follows the newest event. */
  skipPending(): Promise<void> {
    return this.tx.run((em) => this.cursor.skipToNewest(em, this.clock.now()));
  }

  private async deliveriesFor(events: readonly EventEntity[]): Promise<DeliveryKey[]> {
    const projects = new Set<string>();
    for (const e of events) for (const p of [e.lesseeId, e.ownerId]) if (p) projects.add(p);
    const byProject = new Map<string, Array<{ hook: WebhookEntity; types: string[] }>>();
    for (const hook of await this.webhooks.forProjects([...projects])) {
      const entry = { hook, types: JSON.parse(hook.eventTypes) as string[] };
      byProject.set(hook.projectId, [...(byProject.get(hook.projectId) ?? []), entry]);
    }
    const keys: DeliveryKey[] = [];
    for (const event of events) {
      const happened = event.createdAt ?? event.eventTime;
      const hooks = new Set<WebhookEntity>();
      for (const project of new Set([event.lesseeId, event.ownerId])) {
        for (const { hook, types } of byProject.get(project ?? '') ?? []) {
          // A webhook gets the events after its creation only.
          if (hook.createdAt <= happened && wantsEventType(types, event.eventType)) hooks.add(hook);
        }
      }
      for (const hook of hooks) keys.push({ webhookId: hook.id, eventId: event.id });
    }
    return keys;
  }

  private async renew(): Promise<void> {
    const now = this.clock.now();
    try {
      await this.tx.run((em) => this.cursor.claim(em, this.holder, now, addSeconds(now, CLAIM_SECONDS)));
    } catch (err) {
      // A lapsed claim lets another manager take over; this pass then finds it lost and stops.
      this.logger.warn(`could not renew the webhook cursor claim: ${String(err)}`);
    }
  }

  /**
   * The events up to the first id that may still commit, so that no event is passed over. A
   * missing id that is neither there nor locked belongs to a rolled-back transaction; it is
   * skipped on the second look, since an id is allocated a moment before its row exists.
   */
  private async committedPrefix(events: EventEntity[], last: number): Promise<EventEntity[]> {
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

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { Clock } from '../common/clock';
import { inParallel } from '../common/in-parallel';
import { addSeconds, toEpochMicros, toEpochSeconds, UtcTime } from '../common/time';
import { EventEntity } from '../leasing/data/event.entity';
import { LeaseRemindersRepository } from '../notifications/reminders/lease-reminders.repository';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { PostOutcome, WebhookHttp } from './webhook-http';
import { webhookPayload } from './webhook-payload';
import { WebhookSecretBox } from './webhook-secrets';
import { WEBHOOK_SETTINGS, WebhookSettings } from './webhook-settings';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature';
import { WebhookEntity } from './webhook.entity';
import { WebhooksRepository } from './webhooks.repository';

/** Seconds a claimed attempt may outlast the request time-out before another manager may try. */
const CLAIM_MARGIN_SECONDS = 30;

/**
 * Makes the due delivery attempts: each claimed by one manager (the claim lapses if it dies,
 * and the attempt is made again: at least once), POSTed with its signature and the event id
 * as idempotency key, and recorded: delivered on a 2xx answer, otherwise tried again after an
 * exponential back-off until `[webhooks] retry_for` after the delivery was created, then failed.
 */
@Injectable()
export class WebhookDeliverer {
  private readonly logger = new Logger('esi-leap.webhooks');
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`.slice(-64);
  private readonly box: WebhookSecretBox;

  constructor(
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly reminders: LeaseRemindersRepository,
    private readonly http: WebhookHttp,
  ) {
    this.box = new WebhookSecretBox(settings.secretKeys);
  }

  /** Every attempt due now; returns how many deliveries succeeded. */
  async deliverDue(): Promise<number> {
    const seen = new Set<string>();
    let delivered = 0;
    for (;;) {
      const due = (await this.deliveries.due(this.clock.now(), this.settings.maxParallel * 4)).filter(
        (d) => !seen.has(keyOf(d)),
      );
      if (due.length === 0) return delivered;
      due.forEach((d) => seen.add(keyOf(d)));
      const [hooks, events, reminders] = await Promise.all([
        this.webhooks.findByIds([...new Set(due.map((d) => d.webhookId))]),
        this.dataSource.getRepository(EventEntity).findBy({ id: In(due.map((d) => d.eventId)) }),
        this.reminders.byEventIds(due.map((d) => d.eventId)),
      ]);
      const hookById = new Map(hooks.map((h) => [h.id, h]));
      const eventById = new Map(events.map((e) => [e.id, e]));
      const reminderByEvent = new Map(reminders.map((r) => [r.eventId!, r]));
      const outcomes = await inParallel(due, this.settings.maxParallel, async (delivery) => {
        const hook = hookById.get(delivery.webhookId);
        const event = eventById.get(delivery.eventId);
        // A webhook deleted meanwhile takes its deliveries with it.
        if (!hook || !event) return false;
        return this.attempt(
          delivery,
          hook,
          () => webhookPayload(event, reminderByEvent.get(event.id)),
          event.eventType,
        );
      });
      delivered += outcomes.filter(Boolean).length;
    }
  }

  private async attempt(
    delivery: WebhookDeliveryEntity,
    hook: WebhookEntity,
    payload: () => string,
    eventType: string,
  ): Promise<boolean> {
    const now = this.clock.now();
    const until = addSeconds(now, this.settings.timeoutMs / 1000 + CLAIM_MARGIN_SECONDS);
    if (!(await this.deliveries.claim(delivery, this.holder, now, until))) return false;
    const attempt = delivery.attempts + 1;
    let outcome: PostOutcome;
    try {
      const body = payload();
      const secret = this.box.open(hook.id, hook.secret);
      outcome = await this.http.post(hook.url, body, {
        'Content-Type': 'application/json',
        'User-Agent': 'esi-leap-webhooks',
        'Idempotency-Key': String(delivery.eventId),
        'X-ESI-Leap-Event': eventType,
        'X-ESI-Leap-Delivery-Attempt': String(attempt),
        [SIGNATURE_HEADER]: signatureHeader(secret, body, toEpochSeconds(this.clock.now())),
      });
    } catch (err) {
      outcome = { ok: false, status: null, error: (err as Error).message, excerpt: null };
    }
    const at = this.clock.now();
    const next = outcome.ok ? null : this.nextAttempt(delivery, attempt, at);
    await this.deliveries.record(delivery, this.holder, at, {
      delivered: outcome.ok,
      next,
      statusCode: outcome.status,
      error: outcome.error,
      excerpt: outcome.excerpt,
    });
    if (!outcome.ok) {
      this.logger.warn(
        `webhook ${hook.id}: event ${delivery.eventId} attempt ${attempt} failed (${outcome.error})` +
          (next === null ? '; giving up' : `; next attempt at ${next}`),
      );
    }
    return outcome.ok;
  }

  /** After `attempt` failed: base × 2^(attempt−1), at most the maximum; null once past `retry_for`. */
  private nextAttempt(delivery: WebhookDeliveryEntity, attempt: number, now: UtcTime): UtcTime | null {
    const { retryBackoffBaseSeconds: base, retryBackoffMaxSeconds: max, retryForSeconds } = this.settings;
    const next = addSeconds(now, Math.min(base * 2 ** (attempt - 1), max));
    const deadline = addSeconds(delivery.createdAt, retryForSeconds);
    return toEpochMicros(next) > toEpochMicros(deadline) ? null : next;
  }
}

function keyOf(d: { webhookId: string; eventId: number }): string {
  return `${d.webhookId}/${d.eventId}`;
}

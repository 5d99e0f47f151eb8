import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../db/transaction-runner';
import { EventEntity } from '../leasing/data/event.entity';
import { OutboxConsumer } from '../outbox/outbox-consumer';
import { OutboxCursorsRepository } from '../outbox/outbox-cursors.repository';
import { wantsEventType } from './webhook-payload';
import { DeliveryKey, WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhooksRepository } from './webhooks.repository';
import { WebhookEntity } from './webhook.entity';

/** The webhooks' cursor into the events outbox (a row of `notification_cursors`). */
export const WEBHOOK_CURSOR = 'webhooks';

/**
 * Turns events into pending deliveries: each event of the outbox (OutboxConsumer, cursor
 * `webhooks`) is matched against the webhooks of its lessee and owner projects that existed
 * when it happened and want its type. The consumer hands an event over at least once; a
 * delivery row is keyed by webhook and event and inserted only if absent, so an event handed
 * over again after a crash makes no second delivery.
 */
@Injectable()
export class WebhookFanout {
  private readonly logger = new Logger('esi-leap.webhooks');
  private readonly consumer: OutboxConsumer;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    cursors: OutboxCursorsRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {
    this.consumer = new OutboxConsumer({ cursor: WEBHOOK_CURSOR, logger: this.logger }, tx, clock, cursors);
  }

  /** One pass; returns how many events it handled (0 when another manager holds the cursor). */
  pass(): Promise<number> {
    return this.consumer.pass((event) => this.fanOut(event));
  }

  /** With webhooks off: the cursor follows the newest event, so turning them on delivers nothing older. */
  skipPending(): Promise<void> {
    return this.consumer.skipPending();
  }

  private async fanOut(event: EventEntity): Promise<void> {
    const keys: DeliveryKey[] = (await this.subscribersOf(event)).map((hook) => ({
      webhookId: hook.id,
      eventId: event.id,
    }));
    if (keys.length === 0) return;
    const now = this.clock.now();
    await this.tx.run((em) => this.deliveries.insertPendingIfAbsent(em, keys, now));
  }

  /** The webhooks of the event's projects registered by the time of the event and wanting its type. */
  private async subscribersOf(event: EventEntity): Promise<WebhookEntity[]> {
    const projects = [...new Set([event.lesseeId, event.ownerId].filter((p): p is string => !!p))];
    const happened = event.createdAt ?? event.eventTime;
    return (await this.webhooks.forProjects(projects)).filter(
      (hook) => hook.createdAt <= happened && wantsEventType(JSON.parse(hook.eventTypes) as string[], event.eventType),
    );
  }
}

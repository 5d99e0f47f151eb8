import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { UtcTime } from '../common/time';
import { isMysqlDataSource } from '../db/dialect';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';

export interface DeliveryKey {
  readonly webhookId: string;
  readonly eventId: number;
}

export interface AttemptRecord {
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly excerpt: string | null;
}

/** A delivery as listed, with its event's type. */
export type ListedDelivery = WebhookDeliveryEntity & { eventType: string | null };

const INSERT_CHUNK = 200;

/** Every SQL question about deliveries: the fan-out's inserts, the deliverer's claims and records, the listing. */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * New pending deliveries, due at once, each unless its (webhook, event) key exists already: an
   * event the outbox hands over again makes no second delivery.
   */
  async insertPendingIfAbsent(em: EntityManager, keys: readonly DeliveryKey[], now: UtcTime): Promise<void> {
    const onConflict = isMysqlDataSource(em.connection)
      ? ' ON DUPLICATE KEY UPDATE webhook_id = webhook_id'
      : ' ON CONFLICT (webhook_id, event_id) DO NOTHING';
    for (let i = 0; i < keys.length; i += INSERT_CHUNK) {
      const chunk = keys.slice(i, i + INSERT_CHUNK);
      await em.query(
        'INSERT INTO webhook_deliveries (webhook_id, event_id, status, attempts, created_at, next_attempt_at) VALUES ' +
          chunk.map(() => "(?, ?, 'pending', 0, ?, ?)").join(', ') +
          onConflict,
        chunk.flatMap((k) => [k.webhookId, k.eventId, now, now]),
      );
    }
  }

  /** Pending deliveries whose next attempt is due (and whose last claimant, if any, has let go or died). */
  due(now: UtcTime, limit: number): Promise<WebhookDeliveryEntity[]> {
    return this.dataSource
      .getRepository(WebhookDeliveryEntity)
      .createQueryBuilder('d')
      .where("d.status = 'pending' AND d.next_attempt_at <= :now", { now })
      .orderBy('d.next_attempt_at')
      .addOrderBy('d.event_id')
      .limit(limit)
      .getMany();
  }

  /**
   * Takes one attempt at a delivery until `until`: true for one caller at a time. The attempt
   * is counted now, so one whose claimant died still counts.
   */
  async claim(key: DeliveryKey, holder: string, now: UtcTime, until: UtcTime): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(WebhookDeliveryEntity)
      .set({ claimedBy: holder, nextAttemptAt: until, lastAttemptAt: now, attempts: () => 'attempts + 1' })
      .where("webhook_id = :webhookId AND event_id = :eventId AND status = 'pending' AND next_attempt_at <= :now", {
        ...key,
        now,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * The outcome of the attempt `holder` claimed: `next` = when to try again, or null for
   * finished (delivered when `delivered`, otherwise failed for good). Ignored when the claim
   * was lost meanwhile (another manager's attempt records its own).
   */
  async record(
    key: DeliveryKey,
    holder: string,
    now: UtcTime,
    outcome: { delivered: boolean; next: UtcTime | null } & AttemptRecord,
  ): Promise<void> {
    const finished = outcome.delivered || outcome.next === null;
    await this.dataSource
      .createQueryBuilder()
      .update(WebhookDeliveryEntity)
      .set({
        status: outcome.delivered ? 'delivered' : finished ? 'failed' : 'pending',
        nextAttemptAt: finished ? null : outcome.next,
        claimedBy: null,
        lastStatusCode: outcome.statusCode,
        lastError: outcome.error?.slice(0, 255) ?? null,
        responseExcerpt: outcome.excerpt,
        finishedAt: finished ? now : null,
      })
      .where("webhook_id = :webhookId AND event_id = :eventId AND claimed_by = :holder AND status = 'pending'", {
        ...key,
        holder,
      })
      .execute();
  }

  /** A webhook's deliveries, newest event first, with each event's type. */
  async listForWebhook(webhookId: string, limit: number): Promise<ListedDelivery[]> {
    const { entities, raw } = await this.dataSource
      .getRepository(WebhookDeliveryEntity)
      .createQueryBuilder('d')
      .leftJoin('events', 'e', 'e.id = d.event_id')
      .addSelect('e.event_type', 'event_type')
      .where('d.webhook_id = :webhookId', { webhookId })
      .orderBy('d.event_id', 'DESC')
      .limit(limit)
      .getRawAndEntities<{ event_type: string | null }>();
    return entities.map((d, i) => Object.assign(d, { eventType: raw[i]?.event_type ?? null }));
  }

  /** Finished deliveries older than `cutoff`, no longer listed. */
  async deleteFinishedBefore(cutoff: UtcTime): Promise<number> {
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(WebhookDeliveryEntity)
      .where("status <> 'pending' AND finished_at < :cutoff", { cutoff })
      .execute();
    return result.affected ?? 0;
  }
}

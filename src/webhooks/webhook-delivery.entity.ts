import { Column, Entity, PrimaryColumn } from 'typeorm';
import { UtcTime } from '../common/time';
import { utcTimeTransformer } from '../db/columns';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** Table `webhook_deliveries`: one event for one webhook, its attempts and their outcome. */
@Entity({ name: 'webhook_deliveries' })
export class WebhookDeliveryEntity {
  @PrimaryColumn({ name: 'webhook_id', type: 'varchar', length: 36 })
  webhookId: string;

  @PrimaryColumn({ name: 'event_id', type: 'int' })
  eventId: number;

  @Column({ name: 'status', type: 'varchar', length: 16 })
  status: DeliveryStatus;

  @Column({ name: 'attempts', type: 'int' })
  attempts: number;

  @Column({ name: 'created_at', type: 'varchar', transformer: utcTimeTransformer })
  createdAt: UtcTime;

  /** Pending: when the next attempt is due; while an attempt runs, when its claim lapses. */
  @Column({ name: 'next_attempt_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  nextAttemptAt: UtcTime | null;

  @Column({ name: 'claimed_by', type: 'varchar', length: 64, nullable: true })
  claimedBy: string | null;

  @Column({ name: 'last_attempt_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  lastAttemptAt: UtcTime | null;

  @Column({ name: 'last_status_code', type: 'int', nullable: true })
  lastStatusCode: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 255, nullable: true })
  lastError: string | null;

  @Column({ name: 'response_excerpt', type: 'varchar', length: 255, nullable: true })
  responseExcerpt: string | null;

  @Column({ name: 'finished_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  finishedAt: UtcTime | null;
}

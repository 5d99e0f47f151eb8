import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { UtcTime } from '../../common/time';
import { utcTimeTransformer } from '../../db/columns';
import type { ReminderKind } from './lead-times';

/** Table `lease_reminders`: one reminder written, and the state of its e-mail. */
@Entity({ name: 'lease_reminders' })
export class LeaseReminderEntity {
  @PrimaryGeneratedColumn({ name: 'id' })
  id: number;

  @Column({ name: 'lease_uuid', type: 'varchar', length: 36 })
  leaseUuid: string;

  @Column({ name: 'kind', type: 'varchar', length: 8 })
  kind: ReminderKind;

  @Column({ name: 'lead_seconds', type: 'int' })
  leadSeconds: number;

  /** The lease's end (or start) time this reminder was for. */
  @Column({ name: 'due_for', type: 'varchar', transformer: utcTimeTransformer })
  dueFor: UtcTime;

  /** `due_for` minus the lead time: when the reminder was due. */
  @Column({ name: 'remind_at', type: 'varchar', transformer: utcTimeTransformer })
  remindAt: UtcTime;

  @Column({ name: 'event_id', type: 'int', nullable: true })
  eventId: number | null;

  @Column({ name: 'created_at', type: 'varchar', transformer: utcTimeTransformer })
  createdAt: UtcTime;

  @Column({ name: 'mail_attempts', type: 'int' })
  mailAttempts: number;

  /** The process sending the mail, which renews its claim while it sends. */
  @Column({ name: 'mail_claimed_by', type: 'varchar', length: 64, nullable: true })
  mailClaimedBy: string | null;

  /** While a mail is being sent: when the sender's claim lapses; after a failure: the next attempt. */
  @Column({ name: 'mail_next_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  mailNextAt: UtcTime | null;

  @Column({ name: 'mailed_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  mailedAt: UtcTime | null;

  @Column({ name: 'mail_error', type: 'varchar', length: 255, nullable: true })
  mailError: string | null;
}

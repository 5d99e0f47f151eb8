import { Column, Entity, PrimaryColumn } from 'typeorm';
import { UtcTime } from '../../common/time';
import { utcTimeTransformer } from '../../db/columns';

/**
 * How far one consumer of the `events` outbox has got (table `notification_cursors`). `holder`
 * and `held_until` let exactly one process advance it at a time; `identity` is random per
 * database and seeds the stable message ids.
 */
@Entity({ name: 'notification_cursors' })
export class NotificationCursorEntity {
  @PrimaryColumn({ name: 'name', type: 'varchar', length: 36 })
  name: string;

  @Column({ name: 'last_event_id', type: 'int' })
  lastEventId: number;

  @Column({ name: 'identity', type: 'varchar', length: 36 })
  identity: string;

  @Column({ name: 'holder', type: 'varchar', length: 255, nullable: true })
  holder: string | null;

  @Column({ name: 'held_until', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  heldUntil: UtcTime | null;

  @Column({ name: 'updated_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  updatedAt: UtcTime | null;
}

import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { UtcTime } from '../../common/time';
import { utcTimeTransformer } from '../../db/columns';

/** Table `events` (upstream's shape): the consumer-visible log, ordered by `id`. */
@Entity({ name: 'events' })
export class EventEntity {
  @PrimaryGeneratedColumn({ name: 'id' })
  id: number;

  @Column({ name: 'event_type', type: 'varchar', length: 255 })
  eventType: string;

  @Column({ name: 'event_time', type: 'varchar', transformer: utcTimeTransformer })
  eventTime: UtcTime;

  @Column({ name: 'object_type', type: 'varchar', length: 255, nullable: true })
  objectType: string | null;

  @Column({ name: 'object_uuid', type: 'varchar', length: 36, nullable: true })
  objectUuid: string | null;

  @Column({ name: 'resource_type', type: 'varchar', length: 255, nullable: true })
  resourceType: string | null;

  @Column({ name: 'resource_uuid', type: 'varchar', length: 36, nullable: true })
  resourceUuid: string | null;

  @Column({ name: 'lessee_id', type: 'varchar', length: 255, nullable: true })
  lesseeId: string | null;

  @Column({ name: 'owner_id', type: 'varchar', length: 255, nullable: true })
  ownerId: string | null;

  @Column({ name: 'created_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  createdAt: UtcTime | null;

  @Column({ name: 'updated_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  updatedAt: UtcTime | null;
}

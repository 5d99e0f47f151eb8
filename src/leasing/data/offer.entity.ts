import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { UtcTime } from '../../common/time';
import type { OfferStatusName } from './statuses';
import { jsonDictTransformer, utcTimeTransformer } from '../../db/columns';

/** Table `offers` exactly as upstream esi-leap's; the schema itself lives in migrations/. */
@Entity({ name: 'offers' })
export class OfferEntity {
  @PrimaryGeneratedColumn({ name: 'id' })
  id: number;

  @Column({ name: 'uuid', type: 'varchar', length: 36 })
  uuid: string;

  @Column({ name: 'name', type: 'varchar', length: 35, nullable: true })
  name: string | null;

  @Column({ name: 'project_id', type: 'varchar', length: 255 })
  projectId: string;

  @Column({ name: 'lessee_id', type: 'varchar', length: 255, nullable: true })
  lesseeId: string | null;

  @Column({ name: 'resource_type', type: 'varchar', length: 36 })
  resourceType: string;

  @Column({ name: 'resource_uuid', type: 'varchar', length: 36 })
  resourceUuid: string;

  @Column({ name: 'start_time', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  startTime: UtcTime;

  @Column({ name: 'end_time', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  endTime: UtcTime;

  @Column({ name: 'status', type: 'varchar', length: 15 })
  status: OfferStatusName;

  @Column({ name: 'properties', type: 'text', nullable: true, transformer: jsonDictTransformer })
  properties: Record<string, unknown>;

  @Column({ name: 'parent_lease_uuid', type: 'varchar', length: 36, nullable: true })
  parentLeaseUuid: string | null;

  @Column({ name: 'created_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  createdAt: UtcTime | null;

  @Column({ name: 'updated_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  updatedAt: UtcTime | null;
}

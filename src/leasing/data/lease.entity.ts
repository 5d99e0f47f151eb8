import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { UtcTime } from '../../common/time';
import type { LeaseStatusName } from './statuses';
import { jsonDictTransformer, utcTimeTransformer } from '../../db/columns';

/** Table `leases` exactly as upstream esi-leap's; the schema itself lives in migrations/. */
@Entity({ name: 'leases' })
export class LeaseEntity {
  @PrimaryGeneratedColumn({ name: 'id' })
  id: number;

  @Column({ name: 'uuid', type: 'varchar', length: 36 })
  uuid: string;

  @Column({ name: 'name', type: 'varchar', length: 35, nullable: true })
  name: string | null;

  @Column({ name: 'project_id', type: 'varchar', length: 255 })
  projectId: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 255 })
  ownerId: string;

  @Column({ name: 'purpose', type: 'varchar', length: 255, nullable: true })
  purpose: string | null;

  @Column({ name: 'resource_type', type: 'varchar', length: 36 })
  resourceType: string;

  @Column({ name: 'resource_uuid', type: 'varchar', length: 36 })
  resourceUuid: string;

  @Column({ name: 'start_time', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  startTime: UtcTime;

  @Column({ name: 'end_time', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  endTime: UtcTime;

  @Column({ name: 'fulfill_time', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  fulfillTime: UtcTime | null;

  @Column({ name: 'expire_time', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  expireTime: UtcTime | null;

  @Column({ name: 'status', type: 'varchar', length: 15 })
  status: LeaseStatusName;

  @Column({ name: 'properties', type: 'text', nullable: true, transformer: jsonDictTransformer })
  properties: Record<string, unknown>;

  @Column({ name: 'offer_uuid', type: 'varchar', length: 36, nullable: true })
  offerUuid: string | null;

  @Column({ name: 'parent_lease_uuid', type: 'varchar', length: 36, nullable: true })
  parentLeaseUuid: string | null;

  @Column({ name: 'created_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  createdAt: UtcTime | null;

  @Column({ name: 'updated_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  updatedAt: UtcTime | null;
}

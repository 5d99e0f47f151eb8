import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, ValueTransformer } from 'typeorm';
import { UtcTime } from '../../common/time';
import { utcTimeTransformer } from '../../db/columns';

/** A JSON list of constraint texts; none stored as NULL. */
const constraintListTransformer: ValueTransformer = {
  to: (value: readonly string[] | null | undefined) => (value && value.length > 0 ? JSON.stringify(value) : null),
  from: (value: unknown) => (typeof value === 'string' && value !== '' ? (JSON.parse(value) as string[]) : []),
};

/** A lease group is `active` from its booking until a DELETE of the group cancels its members. */
export const LeaseGroupStatus = {
  ACTIVE: 'active',
  CANCELLED: 'cancelled',
} as const;
export type LeaseGroupStatusName = (typeof LeaseGroupStatus)[keyof typeof LeaseGroupStatus];

/** Table `lease_groups`: N leases booked together for one window (docs/group-leases.md). */
@Entity({ name: 'lease_groups' })
export class LeaseGroupEntity {
  @PrimaryGeneratedColumn({ name: 'id' })
  id: number;

  @Column({ name: 'uuid', type: 'varchar', length: 36 })
  uuid: string;

  @Column({ name: 'name', type: 'varchar', length: 35, nullable: true })
  name: string | null;

  @Column({ name: 'project_id', type: 'varchar', length: 255 })
  projectId: string;

  /** How many leases were booked; members cancelled one by one since do not change it. */
  @Column({ name: 'count', type: 'int' })
  count: number;

  @Column({ name: 'start_time', type: 'varchar', transformer: utcTimeTransformer })
  startTime: UtcTime;

  @Column({ name: 'end_time', type: 'varchar', transformer: utcTimeTransformer })
  endTime: UtcTime;

  @Column({ name: 'status', type: 'varchar', length: 15 })
  status: LeaseGroupStatusName;

  /** The constraints the group was booked with, as written; healing keeps members on nodes that meet them. */
  @Column({ name: 'constraints', type: 'text', nullable: true, transformer: constraintListTransformer })
  constraints: string[];

  @Column({ name: 'created_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  createdAt: UtcTime | null;

  @Column({ name: 'updated_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  updatedAt: UtcTime | null;
}

/** Table `lease_group_members`: which group a lease was booked in (a lease is in at most one). */
@Entity({ name: 'lease_group_members' })
export class LeaseGroupMemberEntity {
  @PrimaryColumn({ name: 'lease_uuid', type: 'varchar', length: 36 })
  leaseUuid: string;

  @Column({ name: 'group_uuid', type: 'varchar', length: 36 })
  groupUuid: string;
}

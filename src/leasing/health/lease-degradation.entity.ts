import { Column, Entity, PrimaryColumn } from 'typeorm';
import { UtcTime } from '../../common/time';
import { utcTimeTransformer } from '../../db/columns';

/** A lease flagged because its node is unhealthy (table `lease_degradations`); gone once it recovers. */
@Entity({ name: 'lease_degradations' })
export class LeaseDegradationEntity {
  @PrimaryColumn({ name: 'lease_uuid', type: 'varchar', length: 36 })
  leaseUuid: string;

  @Column({ name: 'resource_type', type: 'varchar', length: 36 })
  resourceType: string;

  @Column({ name: 'resource_uuid', type: 'varchar', length: 36 })
  resourceUuid: string;

  @Column({ name: 'reason', type: 'varchar', length: 255 })
  reason: string;

  @Column({ name: 'since', type: 'varchar', transformer: utcTimeTransformer })
  since: UtcTime;
}

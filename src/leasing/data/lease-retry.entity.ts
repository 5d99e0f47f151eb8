import { Column, Entity, PrimaryColumn } from 'typeorm';
import { UtcTime } from '../../common/time';
import { utcTimeTransformer } from '../../db/columns';

/** The manager's bookkeeping for a lease whose driver call failed (table `lease_retries`). */
@Entity({ name: 'lease_retries' })
export class LeaseRetryEntity {
  @PrimaryColumn({ name: 'lease_uuid', type: 'varchar', length: 36 })
  leaseUuid: string;

  @Column({ name: 'attempts', type: 'int' })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  nextAttemptAt: UtcTime | null;

  @Column({ name: 'last_error', type: 'varchar', length: 255, nullable: true })
  lastError: string | null;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import { UtcTime } from '../../common/time';
import { utcTimeTransformer } from '../../db/columns';

/**
 * The driver-side bookkeeping of a lease (table `lease_retries`): who is calling the driver
 * for it and until when, and the attempts and back-off of failed calls. A lease without a row
 * has never failed and nobody is working on it.
 */
@Entity({ name: 'lease_retries' })
export class LeaseWorkEntity {
  @PrimaryColumn({ name: 'lease_uuid', type: 'varchar', length: 36 })
  leaseUuid: string;

  @Column({ name: 'attempts', type: 'int' })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  nextAttemptAt: UtcTime | null;

  @Column({ name: 'last_error', type: 'varchar', length: 255, nullable: true })
  lastError: string | null;

  @Column({ name: 'claimed_by', type: 'varchar', length: 64, nullable: true })
  claimedBy: string | null;

  @Column({ name: 'claimed_until', type: 'varchar', nullable: true, transformer: utcTimeTransformer })
  claimedUntil: UtcTime | null;
}

import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { datetimeColumn, isMysql } from './support/dialect';

/**
 * Who is calling the driver for a lease, until when: a transition marks the lease claimed in
 * one short transaction, calls the driver with no transaction open, then records the outcome
 * only if it still holds the claim (docs/architecture.md, "Transitions"). A holder that dies
 * leaves a claim that lapses at `claimed_until`, after which any manager takes the lease again.
 */
export class LeaseWorkClaims1795590000000 implements MigrationInterface {
  name = 'LeaseWorkClaims1795590000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = isMysql(queryRunner);
    await queryRunner.addColumns('lease_retries', [
      new TableColumn({ name: 'claimed_by', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn(datetimeColumn(mysql, 'claimed_until')),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('lease_retries', 'claimed_until');
    await queryRunner.dropColumn('lease_retries', 'claimed_by');
  }
}

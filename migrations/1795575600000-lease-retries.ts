import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { datetimeColumn, isMysql } from './support/dialect';

/**
 * `lease_retries`: the manager's attempt counter and back-off deadline per lease whose driver
 * call failed (docs/decisions.md, "Manager"). A table of its own, so the upstream `leases` table keeps its
 * exact shape.
 */
export class LeaseRetries1795575600000 implements MigrationInterface {
  name = 'LeaseRetries1795575600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = isMysql(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'lease_retries',
        columns: [
          { name: 'lease_uuid', type: 'varchar', length: '36', isPrimary: true },
          { name: 'attempts', type: 'int', isNullable: false, default: 0 },
          datetimeColumn(mysql, 'next_attempt_at'),
          { name: 'last_error', type: 'varchar', length: '255', isNullable: true },
        ],
        indices: [{ name: 'lease_retries_next_attempt_idx', columnNames: ['next_attempt_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('lease_retries', true);
  }
}

import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { datetimeColumn, isMysql } from './support/dialect';

/**
 * Lease groups (`/v1/lease_groups`): N leases booked together for one window, all or none.
 * Membership is a table of its own keyed by the lease's uuid, so upstream's `leases` table
 * stays exactly as upstream's (docs/decisions.md, "Lease groups").
 */
export class LeaseGroups1795618800000 implements MigrationInterface {
  name = 'LeaseGroups1795618800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = isMysql(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'lease_groups',
        columns: [
          mysql
            ? { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' }
            : { name: 'id', type: 'integer', isPrimary: true },
          { name: 'uuid', type: 'varchar', length: '36', isNullable: false, isUnique: true },
          { name: 'name', type: 'varchar', length: '35', isNullable: true },
          { name: 'project_id', type: 'varchar', length: '255', isNullable: false },
          { name: 'count', type: 'int', isNullable: false },
          datetimeColumn(mysql, 'start_time', false),
          datetimeColumn(mysql, 'end_time', false),
          { name: 'status', type: 'varchar', length: '15', isNullable: false },
          // The constraints the group was booked with (a JSON list): healing moves a member only
          // to a node that meets them.
          { name: 'constraints', type: 'text', isNullable: true },
          datetimeColumn(mysql, 'created_at'),
          datetimeColumn(mysql, 'updated_at'),
        ],
      }),
    );
    await queryRunner.createIndex(
      'lease_groups',
      new TableIndex({ name: 'lease_groups_project_idx', columnNames: ['project_id', 'id'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'lease_group_members',
        columns: [
          { name: 'lease_uuid', type: 'varchar', length: '36', isPrimary: true },
          { name: 'group_uuid', type: 'varchar', length: '36', isNullable: false },
        ],
      }),
    );
    await queryRunner.createIndex(
      'lease_group_members',
      new TableIndex({ name: 'lease_group_members_group_idx', columnNames: ['group_uuid'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('lease_group_members', true);
    await queryRunner.dropTable('lease_groups', true);
  }
}

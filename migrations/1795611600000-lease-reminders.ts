import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { datetimeColumn, isMysql } from './support/dialect';

/**
 * One row per reminder written (`[reminders]`): the unique key (lease, kind, lead time, and
 * the end or start time it was for) lets exactly one manager write each reminder, in the
 * transaction that writes its event; a lease whose end moves gets new keys, so it is reminded
 * again. The row also carries the state of the reminder's e-mail.
 */
export class LeaseReminders1795611600000 implements MigrationInterface {
  name = 'LeaseReminders1795611600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = isMysql(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'lease_reminders',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'lease_uuid', type: 'varchar', length: '36', isNullable: false },
          { name: 'kind', type: 'varchar', length: '8', isNullable: false },
          { name: 'lead_seconds', type: 'int', isNullable: false },
          datetimeColumn(mysql, 'due_for', false),
          datetimeColumn(mysql, 'remind_at', false),
          { name: 'event_id', type: 'int', isNullable: true },
          datetimeColumn(mysql, 'created_at', false),
          { name: 'mail_attempts', type: 'int', isNullable: false, default: 0 },
          { name: 'mail_claimed_by', type: 'varchar', length: '64', isNullable: true },
          datetimeColumn(mysql, 'mail_next_at'),
          datetimeColumn(mysql, 'mailed_at'),
          { name: 'mail_error', type: 'varchar', length: '255', isNullable: true },
        ],
        uniques: [{ name: 'lease_reminders_key', columnNames: ['lease_uuid', 'kind', 'lead_seconds', 'due_for'] }],
      }),
    );
    await queryRunner.createIndex(
      'lease_reminders',
      new TableIndex({ name: 'lease_reminders_mail_idx', columnNames: ['mailed_at', 'due_for'] }),
    );
    await queryRunner.createIndex(
      'lease_reminders',
      new TableIndex({ name: 'lease_reminders_event_idx', columnNames: ['event_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('lease_reminders', true);
  }
}

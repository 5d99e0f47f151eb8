import { randomUUID } from 'node:crypto';
import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { datetimeColumn, isMysql } from './support/dialect';

/**
 * Tenant webhooks (`[webhooks]`): the registrations, and one delivery row per webhook and
 * event, keyed by both so that an event read again from the events outbox after a crash adds
 * none. The `webhooks` cursor starts at the newest event: nothing that
 * happened before the feature existed is delivered.
 */
export class Webhooks1795615200000 implements MigrationInterface {
  name = 'Webhooks1795615200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = isMysql(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'webhooks',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'project_id', type: 'varchar', length: '255', isNullable: false },
          { name: 'url', type: 'varchar', length: '1024', isNullable: false },
          { name: 'event_types', type: 'text', isNullable: false },
          { name: 'secret', type: 'text', isNullable: false },
          datetimeColumn(mysql, 'created_at', false),
        ],
      }),
    );
    await queryRunner.createIndex(
      'webhooks',
      new TableIndex({ name: 'webhooks_project_idx', columnNames: ['project_id'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          { name: 'webhook_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'event_id', type: 'int', isPrimary: true },
          { name: 'status', type: 'varchar', length: '16', isNullable: false },
          { name: 'attempts', type: 'int', isNullable: false, default: 0 },
          datetimeColumn(mysql, 'created_at', false),
          datetimeColumn(mysql, 'next_attempt_at'),
          { name: 'claimed_by', type: 'varchar', length: '64', isNullable: true },
          datetimeColumn(mysql, 'last_attempt_at'),
          { name: 'last_status_code', type: 'int', isNullable: true },
          { name: 'last_error', type: 'varchar', length: '255', isNullable: true },
          { name: 'response_excerpt', type: 'varchar', length: '255', isNullable: true },
          datetimeColumn(mysql, 'finished_at'),
        ],
      }),
    );
    await queryRunner.createIndex(
      'webhook_deliveries',
      new TableIndex({ name: 'webhook_deliveries_due_idx', columnNames: ['status', 'next_attempt_at'] }),
    );
    const [{ newest }] = (await queryRunner.query('SELECT MAX(id) AS newest FROM events')) as Array<{
      newest: number | null;
    }>;
    await queryRunner.query('INSERT INTO notification_cursors (name, last_event_id, identity) VALUES (?, ?, ?)', [
      'webhooks',
      Number(newest ?? 0),
      randomUUID(),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM notification_cursors WHERE name = ?', ['webhooks']);
    await queryRunner.dropTable('webhook_deliveries', true);
    await queryRunner.dropTable('webhooks', true);
  }
}

import { randomUUID } from 'node:crypto';
import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { datetimeColumn, isMysql } from './support/dialect';

/**
 * The notification relay's bookkeeping (docs/notifications.md): `notification_cursors` holds, per
 * consumer of the `events` outbox, the last event id handed over and which process holds the
 * right to advance it; `notification_lease_snapshots` keeps, per event, the lease as it was
 * when the event was written, for the payload's pre-transition fields (upstream's `*.end` payloads show the lease before the change).
 *
 * The RabbitMQ cursor starts at the newest existing event: on a database adopted from the
 * Python service, those events were already notified by it.
 */
export class NotificationOutbox1795579200000 implements MigrationInterface {
  name = 'NotificationOutbox1795579200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = isMysql(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'notification_cursors',
        columns: [
          { name: 'name', type: 'varchar', length: '36', isPrimary: true },
          { name: 'last_event_id', type: 'int', isNullable: false, default: 0 },
          { name: 'identity', type: 'varchar', length: '36', isNullable: false },
          { name: 'holder', type: 'varchar', length: '255', isNullable: true },
          datetimeColumn(mysql, 'held_until'),
          datetimeColumn(mysql, 'updated_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'notification_lease_snapshots',
        columns: [
          { name: 'event_id', type: 'int', isPrimary: true },
          { name: 'lease', type: 'text', isNullable: false },
        ],
      }),
    );
    const [{ newest }] = (await queryRunner.query('SELECT MAX(id) AS newest FROM events')) as Array<{ newest: number | null }>;
    await queryRunner.query('INSERT INTO notification_cursors (name, last_event_id, identity) VALUES (?, ?, ?)', [
      'rabbit',
      Number(newest ?? 0),
      randomUUID(),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('notification_lease_snapshots', true);
    await queryRunner.dropTable('notification_cursors', true);
  }
}

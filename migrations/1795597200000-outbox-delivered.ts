import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * `outbox_delivered`: the events a consumer of the events outbox (the notification relay, the
 * enforcement service's on-end calls, webhooks) has handled above its cursor while an id below
 * was still missing. Ids commit out of order (MySQL allocates them at insert; a Galera node
 * allocates its own series), so a consumer goes on past a missing id and keeps here what it
 * has done until the cursor catches up.
 */
export class OutboxDelivered1795597200000 implements MigrationInterface {
  name = 'OutboxDelivered1795597200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'outbox_delivered',
        columns: [
          { name: 'cursor_name', type: 'varchar', length: '36', isPrimary: true },
          { name: 'event_id', type: 'int', isPrimary: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('outbox_delivered', true);
  }
}

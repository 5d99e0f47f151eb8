import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { datetimeColumn, isMysql } from './support/dialect';

/**
 * The e-mail job's memory (replacing upstream's `.esi-last-event-id` file, relative to its working directory): its cursor
 * into the events table and the mails already sent, so each lease gets each mail once.
 */
export class LeaseMailLog1795582800000 implements MigrationInterface {
  name = 'LeaseMailLog1795582800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = isMysql(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'lease_mail_cursor',
        columns: [
          { name: 'id', type: 'int', isPrimary: true },
          { name: 'last_event_id', type: 'int', isNullable: false, default: 0 },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'lease_mails',
        columns: [
          { name: 'lease_uuid', type: 'varchar', length: '36', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '16', isPrimary: true },
          { name: 'recipient', type: 'varchar', length: '255', isNullable: false },
          datetimeColumn(mysql, 'sent_at', false),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('lease_mails', true);
    await queryRunner.dropTable('lease_mail_cursor', true);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';
import { isMysql } from './support/dialect';

interface Widening {
  table: string;
  column: string;
  /** The width in the baseline (upstream's models), restored by `down()`. */
  baseline: number;
}

const WIDE = 255;

/**
 * Upstream's two ways of building a database disagree on widths: its models
 * give `events.event_type/object_type/resource_type` 36 characters, its alembic migrations
 * give `events.lessee_id/owner_id` and `console_auth_tokens.node_uuid` 36. Both kinds of
 * database end up at 255 for all of them, the widths the entities declare.
 *
 * MySQL only: SQLite does not enforce VARCHAR lengths. Plain `ALTER TABLE … MODIFY` rather than
 * QueryRunner.changeColumn, because TypeORM implements a length change on MySQL as drop column
 * + add column, which would lose the data.
 */
const WIDENINGS: Widening[] = [
  { table: 'events', column: 'event_type', baseline: 36 },
  { table: 'events', column: 'object_type', baseline: 36 },
  { table: 'events', column: 'resource_type', baseline: 36 },
  { table: 'events', column: 'lessee_id', baseline: 255 },
  { table: 'events', column: 'owner_id', baseline: 255 },
  { table: 'console_auth_tokens', column: 'node_uuid', baseline: 255 },
];

export class WidenEventColumns1795572000000 implements MigrationInterface {
  name = 'WidenEventColumns1795572000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!isMysql(queryRunner)) return;
    for (const { table, column } of WIDENINGS) await setWidth(queryRunner, table, column, WIDE);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (!isMysql(queryRunner)) return;
    // MySQL's strict mode refuses to narrow a column holding longer values instead of truncating them.
    for (const { table, column, baseline } of WIDENINGS) {
      if (baseline < WIDE) await setWidth(queryRunner, table, column, baseline);
    }
  }
}

async function setWidth(queryRunner: QueryRunner, tableName: string, columnName: string, width: number): Promise<void> {
  const table = await queryRunner.getTable(tableName);
  const column = table?.findColumnByName(columnName);
  if (!column) throw new Error(`column ${tableName}.${columnName} is missing`);
  if (Number(column.length) === width) return;
  const nullability = column.isNullable ? 'NULL' : 'NOT NULL';
  await queryRunner.query(`ALTER TABLE \`${tableName}\` MODIFY \`${columnName}\` VARCHAR(${width}) ${nullability}`);
}

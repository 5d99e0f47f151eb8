import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableForeignKey, TableIndex } from 'typeorm';
import { datetimeColumn, isMysql } from './support/dialect';

/**
 * Baseline: upstream esi-leap's schema exactly as `esi-leap-dbsync create_schema` (SQLAlchemy
 * `create_all` from `esi_leap/db/sqlalchemy/models.py`) leaves it. An existing
 * upstream database therefore *is* this migration's result, and adopting it means recording this
 * migration as applied.
 *
 * `up()` creates only the tables that are missing, like `create_all`: on an upstream database
 * stamped `11e06aea1af5` it creates nothing; on one from before console tokens (`a1ea63fec697`)
 * it adds `console_auth_tokens`. A table that exists but lacks a column is refused.
 */
export class UpstreamSchema1795564800000 implements MigrationInterface {
  name = 'UpstreamSchema1795564800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = isMysql(queryRunner);
    const created = new Set<string>();
    for (const table of upstreamTables(mysql)) {
      if (await queryRunner.hasTable(table.name)) {
        await assertHasColumns(queryRunner, table);
        continue;
      }
      // SQLite declares the foreign keys inside CREATE TABLE (it allows forward references);
      // on MySQL they need both tables, so they are added below, as SQLAlchemy does.
      await queryRunner.createTable(table, false, !mysql, true);
      created.add(table.name);
    }
    if (!mysql) return;
    for (const fk of UPSTREAM_FOREIGN_KEYS) {
      if (!created.has(fk.table)) continue;
      // InnoDB indexes a foreign key column itself, naming the index after the column when
      // the constraint has no name of its own (upstream's case). Naming our constraint
      // `<table>_ibfk_<n>` like InnoDB would, we must create that index explicitly first.
      await queryRunner.createIndex(fk.table, new TableIndex({ name: fk.column, columnNames: [fk.column] }));
      await queryRunner.createForeignKey(fk.table, foreignKey(fk));
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (isMysql(queryRunner)) {
      // The cycle offers <-> leases: drop every foreign key first, whatever the database named it.
      for (const name of ['offers', 'leases']) {
        const table = await queryRunner.getTable(name);
        if (table) await queryRunner.dropForeignKeys(table, table.foreignKeys);
      }
    } else {
      // SQLite checks foreign keys while dropping a referenced table; defer that to the commit,
      // by which time the referencing tables are gone too.
      await queryRunner.query('PRAGMA defer_foreign_keys = ON');
    }
    for (const name of ['console_auth_tokens', 'events', 'leases', 'offers']) {
      await queryRunner.dropTable(name, true);
    }
  }
}

interface UpstreamForeignKey {
  name: string;
  table: string;
  column: string;
  referencedTable: string;
}

/** Names as InnoDB gives them to upstream's unnamed `ALTER TABLE … ADD FOREIGN KEY`. */
const UPSTREAM_FOREIGN_KEYS: UpstreamForeignKey[] = [
  { name: 'offers_ibfk_1', table: 'offers', column: 'parent_lease_uuid', referencedTable: 'leases' },
  { name: 'leases_ibfk_1', table: 'leases', column: 'offer_uuid', referencedTable: 'offers' },
  { name: 'leases_ibfk_2', table: 'leases', column: 'parent_lease_uuid', referencedTable: 'leases' },
];

function foreignKey(fk: UpstreamForeignKey): TableForeignKey {
  return new TableForeignKey({
    name: fk.name,
    columnNames: [fk.column],
    referencedTableName: fk.referencedTable,
    referencedColumnNames: ['uuid'],
  });
}

function varchar(name: string, length: number, nullable: boolean): TableColumnOptions {
  return { name, type: 'varchar', length: String(length), isNullable: nullable };
}

/**
 * SQLAlchemy renders `INTEGER NOT NULL AUTO_INCREMENT` on MySQL and `INTEGER NOT NULL` +
 * `PRIMARY KEY (id)` on SQLite (a rowid alias, without SQLite's AUTOINCREMENT keyword).
 */
function idColumn(mysql: boolean): TableColumnOptions {
  return mysql
    ? { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' }
    : { name: 'id', type: 'integer', isPrimary: true };
}

/** oslo.db's TimestampMixin columns, which come first in upstream's tables. */
function timestampColumns(mysql: boolean): TableColumnOptions[] {
  return [datetimeColumn(mysql, 'created_at'), datetimeColumn(mysql, 'updated_at')];
}

function index(name: string, columnNames: string[]): TableIndex {
  return new TableIndex({ name, columnNames });
}

function upstreamTables(mysql: boolean): Table[] {
  const sqliteForeignKeys = (table: string) =>
    mysql ? [] : UPSTREAM_FOREIGN_KEYS.filter((fk) => fk.table === table).map(foreignKey);
  return [
    new Table({
      name: 'offers',
      columns: [
        ...timestampColumns(mysql),
        idColumn(mysql),
        varchar('uuid', 36, false),
        varchar('name', 35, true),
        varchar('project_id', 255, false),
        varchar('lessee_id', 255, true),
        varchar('resource_type', 36, false),
        varchar('resource_uuid', 36, false),
        datetimeColumn(mysql, 'start_time'),
        datetimeColumn(mysql, 'end_time'),
        varchar('status', 15, false),
        { name: 'properties', type: 'text', isNullable: true },
        varchar('parent_lease_uuid', 36, true),
      ],
      // An unnamed UNIQUE (uuid): MySQL names it after the column.
      uniques: [{ name: 'uuid', columnNames: ['uuid'] }],
      indices: [
        index('offer_uuid_idx', ['uuid']),
        index('offer_project_id_idx', ['project_id']),
        index('offer_resource_idx', ['resource_type', 'resource_uuid']),
        index('offer_status_idx', ['status']),
      ],
      foreignKeys: sqliteForeignKeys('offers'),
    }),
    new Table({
      name: 'leases',
      columns: [
        ...timestampColumns(mysql),
        idColumn(mysql),
        varchar('uuid', 36, false),
        varchar('name', 35, true),
        varchar('project_id', 255, false),
        varchar('owner_id', 255, false),
        varchar('purpose', 255, true),
        varchar('resource_type', 36, false),
        varchar('resource_uuid', 36, false),
        datetimeColumn(mysql, 'start_time'),
        datetimeColumn(mysql, 'end_time'),
        datetimeColumn(mysql, 'fulfill_time'),
        datetimeColumn(mysql, 'expire_time'),
        varchar('status', 15, false),
        { name: 'properties', type: 'text', isNullable: true },
        varchar('offer_uuid', 36, true),
        varchar('parent_lease_uuid', 36, true),
      ],
      uniques: [{ name: 'uuid', columnNames: ['uuid'] }],
      indices: [
        index('lease_uuid_idx', ['uuid']),
        index('lease_project_id_idx', ['project_id']),
        index('lease_owner_id_idx', ['owner_id']),
        index('lease_status_idx', ['status']),
      ],
      foreignKeys: sqliteForeignKeys('leases'),
    }),
    new Table({
      name: 'events',
      columns: [
        ...timestampColumns(mysql),
        idColumn(mysql),
        varchar('event_type', 36, false),
        datetimeColumn(mysql, 'event_time', false),
        varchar('object_type', 36, true),
        varchar('object_uuid', 36, true),
        varchar('resource_type', 36, true),
        varchar('resource_uuid', 36, true),
        varchar('lessee_id', 255, true),
        varchar('owner_id', 255, true),
      ],
      indices: [
        index('event_type_idx', ['event_type']),
        index('event_lessee_id_idx', ['lessee_id']),
        index('event_owner_id_idx', ['owner_id']),
        index('event_resource_idx', ['resource_type', 'resource_uuid']),
        index('event_time_idx', ['event_time']),
      ],
    }),
    new Table({
      name: 'console_auth_tokens',
      columns: [
        ...timestampColumns(mysql),
        idColumn(mysql),
        varchar('node_uuid', 255, false),
        varchar('token_hash', 255, false),
        { name: 'expires', type: 'integer', isNullable: false },
      ],
      indices: [index('console_auth_tokens_node_uuid_idx', ['node_uuid'])],
    }),
  ];
}

/** Adoption safety: an existing table must at least have every upstream column. */
async function assertHasColumns(queryRunner: QueryRunner, expected: Table): Promise<void> {
  const actual = await queryRunner.getTable(expected.name);
  const missing = expected.columns.filter((column) => !actual?.findColumnByName(column.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new Error(
      `table ${expected.name} exists but lacks column(s) ${missing.join(', ')}: this is not an esi-leap schema this migration can adopt`,
    );
  }
}

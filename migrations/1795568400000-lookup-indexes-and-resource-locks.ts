import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { datetimeColumn, isMysql } from './support/dialect';

interface WantedIndex {
  table: string;
  name: string;
  columnNames: string[];
  isUnique?: boolean;
}

/**
 * Indexes for the hot queries upstream never indexed: conflict checks by
 * resource, cascades by offer and parent lease, token look-up by hash (now unique: one token,
 * one row — docs/decisions.md, "Console"). `event_time_idx` is part of the baseline but missing from databases
 * built by upstream's alembic migrations rather than `create_schema`, so it is added when absent.
 */
const WANTED_INDEXES: WantedIndex[] = [
  { table: 'leases', name: 'lease_resource_idx', columnNames: ['resource_type', 'resource_uuid'] },
  { table: 'leases', name: 'lease_offer_uuid_idx', columnNames: ['offer_uuid'] },
  { table: 'leases', name: 'lease_parent_lease_uuid_idx', columnNames: ['parent_lease_uuid'] },
  { table: 'offers', name: 'offer_parent_lease_uuid_idx', columnNames: ['parent_lease_uuid'] },
  {
    table: 'console_auth_tokens',
    name: 'console_auth_tokens_token_hash_idx',
    columnNames: ['token_hash'],
    isUnique: true,
  },
  { table: 'events', name: 'event_time_idx', columnNames: ['event_time'] },
];

/** Indexes `down()` removes: those this migration may have added, not the baseline's `event_time_idx`. */
const OWN_INDEXES = WANTED_INDEXES.filter((index) => index.name !== 'event_time_idx');

/**
 * Also creates `resource_locks`, one row per resource, which TransactionRunner.lockResource
 * writes to serialise check-then-write work on a resource across processes and hosts
 * (docs/decisions.md, "Leasing rules"), replacing upstream's host-local lock files.
 */
export class LookupIndexesAndResourceLocks1795568400000 implements MigrationInterface {
  name = 'LookupIndexesAndResourceLocks1795568400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = isMysql(queryRunner);
    for (const wanted of WANTED_INDEXES) {
      const table = await queryRunner.getTable(wanted.table);
      if (!table) throw new Error(`table ${wanted.table} is missing: run the baseline migration first`);
      if (isCovered(table, wanted, mysql)) continue;
      await queryRunner.createIndex(table, new TableIndex(wanted));
    }
    await queryRunner.createTable(
      new Table({
        name: 'resource_locks',
        columns: [
          { name: 'resource_type', type: 'varchar', length: '36', isPrimary: true },
          { name: 'resource_uuid', type: 'varchar', length: '36', isPrimary: true },
          datetimeColumn(mysql, 'locked_at'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('resource_locks', true);
    for (const own of OWN_INDEXES) {
      const table = await queryRunner.getTable(own.table);
      if (table?.indices.some((index) => index.name === own.name)) await queryRunner.dropIndex(table, own.name);
    }
  }
}

/**
 * An index already serves the query when an existing one starts with the same columns (and is
 * unique, if uniqueness is wanted). On MySQL every foreign key column is indexed by InnoDB itself;
 * adding a second index there would make InnoDB drop its own, and `down()` could then never drop
 * ours ("needed in a foreign key constraint").
 */
function isCovered(table: Table, wanted: WantedIndex, mysql: boolean): boolean {
  const { columnNames } = wanted;
  const leadsWith = (columns: string[]) => columnNames.every((name, i) => columns[i] === name);
  const byIndex = table.indices.some(
    (index) =>
      leadsWith(index.columnNames) &&
      (!wanted.isUnique || (index.isUnique && index.columnNames.length === columnNames.length)),
  );
  if (byIndex || wanted.isUnique) return byIndex;
  return mysql && table.foreignKeys.some((fk) => leadsWith(fk.columnNames));
}

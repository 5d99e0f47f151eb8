import { DataSource, QueryRunner } from 'typeorm';
import { Migration } from 'typeorm/migration/Migration';
import { isMysqlDataSource } from './dialect';
import { MigrationLedger } from './migration-ledger';
import { sqliteWriterQueue, startImmediateTransaction } from './sqlite-write-transaction';
import { ALEMBIC_REVISIONS, assertKnownAlembicRevision, findUpstreamSchema } from './upstream-schema';

/** Upstream's alembic head: its schema is exactly our baseline migration's. */
const ALEMBIC_HEAD = ALEMBIC_REVISIONS[ALEMBIC_REVISIONS.length - 1];

/** One schema change at a time per database, whichever process or host asks (MySQL named lock). */
const MYSQL_LOCK_NAME = 'esi_leap.schema_migrations';
const MYSQL_LOCK_WAIT_SECONDS = 600;

export class RevisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RevisionError';
  }
}

/**
 * Where a revision argument points in the history: -1 for `base` (nothing applied), otherwise
 * the index of the migration. Accepts `head`, `base`, a migration name
 * (`UpstreamSchema1795564800000`), its 13-digit timestamp, and upstream's alembic head
 * `11e06aea1af5` as a synonym of the baseline.
 */
export function resolveRevision(history: Migration[], revision: string): number {
  if (revision === 'head') return history.length - 1;
  if (revision === 'base') return -1;
  if (revision === ALEMBIC_HEAD) return 0;
  const index = history.findIndex((m) => m.name === revision || String(m.timestamp) === revision);
  if (index < 0) {
    const known = ['head', 'base', ...history.map((m) => m.name)].join(', ');
    throw new RevisionError(`unknown revision '${revision}' (known: ${known})`);
  }
  return index;
}

function newest(migrations: Migration[]): Migration | undefined {
  return [...migrations].sort((a, b) => b.timestamp - a.timestamp)[0];
}

type Step = (queryRunner: QueryRunner, ledger: MigrationLedger) => Promise<void>;

/**
 * `esi-leap-dbsync` semantics over TypeORM migrations: upgrade/downgrade to a revision, stamp,
 * current revision, and adoption of a database upstream esi-leap built (docs/database.md).
 * Each migration runs in its own transaction (all of them in one on SQLite, whose DDL is
 * transactional) and the whole operation holds a database-wide lock, so services started
 * together with `auto_upgrade` do not race.
 */
export class SchemaMigrator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The newest applied migration, or null when none is recorded (an empty or not yet adopted database). */
  async currentRevision(): Promise<string | null> {
    const queryRunner = this.dataSource.createQueryRunner();
    try {
      const table = this.dataSource.options.migrationsTableName ?? 'migrations';
      if (!(await queryRunner.hasTable(table))) return null;
      const applied = await new MigrationLedger(this.dataSource, queryRunner).applied();
      return newest(applied)?.name ?? null;
    } finally {
      await queryRunner.release();
    }
  }

  /** Applies the pending migrations up to `target`; returns their names. */
  async upgrade(target = 'head'): Promise<string[]> {
    const done: string[] = [];
    await this.exclusively(async (queryRunner, ledger) => {
      const history = ledger.history();
      const goal = resolveRevision(history, target);
      const applied = await ledger.applied();
      const appliedNames = new Set(applied.map((m) => m.name));
      const current = newest(applied);
      if (current && goal < history.findIndex((m) => m.name === current.name)) {
        throw new RevisionError(`the database is at ${current.name}, past ${target}: use downgrade`);
      }
      if (applied.length === 0) await this.announceAdoption(queryRunner);
      let previous = current?.name ?? 'base';
      for (const migration of history.slice(0, goal + 1)) {
        if (appliedNames.has(migration.name)) continue;
        this.log(`Running upgrade ${previous} -> ${migration.name}`);
        const started = performance.now();
        await inTransaction(queryRunner, async () => {
          await (migration.instance as NonNullable<Migration['instance']>).up(queryRunner);
          await ledger.record(migration);
        });
        this.log(`Applied ${migration.name} in ${elapsedMs(started)} ms`);
        done.push(migration.name);
        previous = migration.name;
      }
      if (done.length === 0) this.log(`Nothing to upgrade: the database is at ${previous}`);
    });
    return done;
  }

  /** Reverts applied migrations newer than `target` (default: all of them); returns their names. */
  async downgrade(target = 'base'): Promise<string[]> {
    const done: string[] = [];
    await this.exclusively(async (queryRunner, ledger) => {
      const history = ledger.history();
      const goal = resolveRevision(history, target);
      const appliedNames = new Set((await ledger.applied()).map((m) => m.name));
      const unknown = [...appliedNames].filter((name) => !history.some((m) => m.name === name));
      if (unknown.length > 0) {
        throw new RevisionError(
          `the database has migration(s) this esi-leap does not know: ${unknown.join(', ')}; downgrade with the version that applied them`,
        );
      }
      for (let index = history.length - 1; index > goal; index--) {
        const migration = history[index];
        if (!appliedNames.has(migration.name)) continue;
        this.log(`Running downgrade ${migration.name} -> ${history[index - 1]?.name ?? 'base'}`);
        const started = performance.now();
        await inTransaction(queryRunner, async () => {
          await (migration.instance as NonNullable<Migration['instance']>).down(queryRunner);
          await ledger.erase(migration);
        });
        this.log(`Reverted ${migration.name} in ${elapsedMs(started)} ms`);
        done.push(migration.name);
      }
    });
    return done;
  }

  /** Records exactly the migrations up to `target` as applied, running none of them. */
  async stamp(target: string): Promise<void> {
    await this.exclusively(async (queryRunner, ledger) => {
      const history = ledger.history();
      const goal = resolveRevision(history, target);
      const appliedNames = new Set((await ledger.applied()).map((m) => m.name));
      if (goal >= 0) await this.warnIfNotUpstream(queryRunner);
      await inTransaction(queryRunner, async () => {
        for (const [index, migration] of history.entries()) {
          const wanted = index <= goal;
          if (wanted && !appliedNames.has(migration.name)) await ledger.record(migration);
          if (!wanted && appliedNames.has(migration.name)) await ledger.erase(migration);
        }
      });
      this.log(`Stamped ${goal >= 0 ? history[goal].name : 'base'}`);
    });
  }

  private async announceAdoption(queryRunner: QueryRunner): Promise<void> {
    const upstream = await findUpstreamSchema(queryRunner);
    if (!upstream) return;
    assertKnownAlembicRevision(upstream);
    const missing =
      upstream.missingTables.length > 0 ? `; it creates the missing table(s) ${upstream.missingTables.join(', ')}` : '';
    this.log(
      `Found an existing esi-leap database (alembic revision ${upstream.alembicRevision ?? 'none'}): adopting it in place. ` +
        `The baseline records its table(s) ${upstream.presentTables.join(', ')} without re-creating them${missing}.`,
    );
  }

  private async warnIfNotUpstream(queryRunner: QueryRunner): Promise<void> {
    const upstream = await findUpstreamSchema(queryRunner);
    const missing = upstream ? upstream.missingTables : ['offers', 'leases', 'events', 'console_auth_tokens'];
    if (missing.length > 0) {
      this.log(
        `Warning: table(s) ${missing.join(', ')} do not exist; stamp records them as created anyway (upgrade would create them)`,
      );
    }
  }

  /** Runs `step` under the database-wide migration lock. */
  private async exclusively(step: Step): Promise<void> {
    if (isMysqlDataSource(this.dataSource)) return this.underMysqlLock(step);
    return sqliteWriterQueue(this.dataSource).runExclusive(() => this.inSqliteWriteTransaction(step));
  }

  private async underMysqlLock(step: Step): Promise<void> {
    const queryRunner = this.dataSource.createQueryRunner();
    try {
      // Named locks belong to a connection: the runner keeps its connection until release.
      const [row] = (await queryRunner.query('SELECT GET_LOCK(?, ?) AS acquired', [
        MYSQL_LOCK_NAME,
        MYSQL_LOCK_WAIT_SECONDS,
      ])) as { acquired: number | null }[];
      if (Number(row?.acquired) !== 1)
        throw new Error(`another process has held the schema migration lock for ${MYSQL_LOCK_WAIT_SECONDS} s`);
      try {
        await step(queryRunner, new MigrationLedger(this.dataSource, queryRunner));
      } finally {
        await queryRunner.query('SELECT RELEASE_LOCK(?)', [MYSQL_LOCK_NAME]);
      }
    } finally {
      await queryRunner.release();
    }
  }

  /**
   * SQLite: the whole operation is one transaction holding the write lock, so it is atomic and
   * other processes wait. Foreign keys are switched off first (TypeORM rebuilds SQLite tables
   * to alter them); SQLite ignores that pragma inside a transaction.
   */
  private async inSqliteWriteTransaction(step: Step): Promise<void> {
    const queryRunner = this.dataSource.createQueryRunner();
    await queryRunner.beforeMigration();
    try {
      await startImmediateTransaction(queryRunner);
      try {
        await step(queryRunner, new MigrationLedger(this.dataSource, queryRunner));
        await queryRunner.commitTransaction();
      } catch (err) {
        await queryRunner.rollbackTransaction();
        throw err;
      }
    } finally {
      await queryRunner.afterMigration();
      await queryRunner.release();
    }
  }
}

/** Whole milliseconds since `started` (a `performance.now()` reading), for the per-migration report. */
function elapsedMs(started: number): number {
  return Math.round(performance.now() - started);
}

/** A transaction per migration on MySQL (where DDL commits anyway); a savepoint inside SQLite's. */
async function inTransaction(queryRunner: QueryRunner, work: () => Promise<void>): Promise<void> {
  await queryRunner.startTransaction();
  try {
    await work();
    await queryRunner.commitTransaction();
  } catch (err) {
    await queryRunner.rollbackTransaction().catch(() => undefined);
    throw err;
  }
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { parseConnectionUrl, redactConnectionUrl } from '../../src/db/connection-url';
import { ENTITIES } from '../../src/app/entities';
import { createDataSource } from '../../src/db/create-data-source';
import { SchemaMigrator } from '../../src/db/schema-migrator';

export type TestDatabaseKind = 'sqlite' | 'mariadb';

const KINDS: readonly TestDatabaseKind[] = ['sqlite', 'mariadb'];
const DEFAULT_MYSQL_SERVER = 'mysql+pymysql://root@127.0.0.1:3306';

/** The databases the suites run against: env ESI_LEAP_TEST_DATABASES (comma list), default both. */
export function testDatabaseKinds(): TestDatabaseKind[] {
  const raw = process.env.ESI_LEAP_TEST_DATABASES;
  if (!raw?.trim()) return [...KINDS];
  const kinds = raw
    .split(',')
    .map((kind) => kind.trim())
    .filter(Boolean);
  const unknown = kinds.filter((kind) => !KINDS.includes(kind as TestDatabaseKind));
  if (unknown.length > 0)
    throw new Error(`ESI_LEAP_TEST_DATABASES: unknown kind(s) ${unknown.join(', ')} (use ${KINDS.join(', ')})`);
  return kinds as TestDatabaseKind[];
}

export interface TestDatabase {
  kind: TestDatabaseKind;
  /** An esi-leap.conf `[database] connection` URL for this database. */
  connection: string;
  /** Initialised; migrated to head unless `{ migrated: false }` was asked for. */
  dataSource: DataSource;
  /** Closes `dataSource` and deletes the database. Close any other DataSource on it first. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** false: leave the database empty (for adoption and migration tests). */
  migrated?: boolean;
}

/** `mysql+pymysql://user@host:port[/anything][?query]` with its database replaced by `name`. */
function withDatabase(serverUrl: string, name: string): string {
  const match = /^([\w+]+:\/\/[^/?]*)(?:\/[^?]*)?(\?.*)?$/.exec(serverUrl.trim());
  if (!match) throw new Error(`ESI_LEAP_TEST_MYSQL: not a MySQL URL: ${redactConnectionUrl(serverUrl)}`);
  return `${match[1]}/${name}${match[2] ?? ''}`;
}

/** Runs one statement as the server's administrator (CREATE/DROP DATABASE). */
async function administer(serverUrl: string, sql: string): Promise<void> {
  const options = parseConnectionUrl(withDatabase(serverUrl, 'mysql')).options as {
    host?: string;
    port?: number;
    username?: string;
    password?: string;
    socketPath?: string;
  };
  let connection;
  try {
    connection = await createConnection({
      host: options.host,
      port: options.port,
      user: options.username,
      password: options.password,
      socketPath: options.socketPath,
      connectTimeout: 5000,
    });
  } catch (err) {
    // CI starts MariaDB: a suite must fail loudly rather than skip its MariaDB half.
    throw new Error(
      `MariaDB is unreachable at ${redactConnectionUrl(serverUrl)} (${(err as Error).message}). ` +
        'Start it, point ESI_LEAP_TEST_MYSQL at it, or run with ESI_LEAP_TEST_DATABASES=sqlite.',
    );
  }
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

async function open(connection: string, migrated: boolean): Promise<DataSource> {
  const dataSource = await createDataSource(connection, { entities: ENTITIES }).initialize();
  if (migrated) await new SchemaMigrator(dataSource).upgrade('head');
  return dataSource;
}

async function createMariadb(migrated: boolean): Promise<TestDatabase> {
  const server = process.env.ESI_LEAP_TEST_MYSQL || DEFAULT_MYSQL_SERVER;
  const name = `esi_leap_t_${randomBytes(6).toString('hex')}`;
  await administer(server, `CREATE DATABASE \`${name}\``);
  const connection = withDatabase(server, name);
  const drop = () => administer(server, `DROP DATABASE IF EXISTS \`${name}\``);
  const dataSource = await open(connection, migrated).catch(async (err: unknown) => {
    await drop();
    throw err;
  });
  return {
    kind: 'mariadb',
    connection,
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await drop();
    },
  };
}

async function createSqlite(migrated: boolean): Promise<TestDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-db-'));
  const connection = `sqlite:///${path.join(dir, 'esi-leap.sqlite')}`;
  const drop = () => rmSync(dir, { recursive: true, force: true });
  const dataSource = await open(connection, migrated).catch((err: unknown) => {
    drop();
    throw err;
  });
  return {
    kind: 'sqlite',
    connection,
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      drop();
    },
  };
}

/** A fresh, private database of the given kind. */
export async function createTestDatabase(
  kind: TestDatabaseKind,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const migrated = options.migrated ?? true;
  return kind === 'mariadb' ? createMariadb(migrated) : createSqlite(migrated);
}

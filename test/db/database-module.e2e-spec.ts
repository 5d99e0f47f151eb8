import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ConfigModule } from '../../src/config/config.module';
import { LoadedConfig, loadConfig } from '../../src/config/config-loader';
import { DatabaseModule } from '../../src/db/database.module';
import { SchemaMigrator } from '../../src/db/schema-migrator';
import { TransactionRunner } from '../../src/db/transaction-runner';
import { createTestDatabase, TestDatabase, testDatabaseKinds } from '../helpers/test-databases';
import { alembicStamp, UPSTREAM_CREATE_ALL } from './fixtures/upstream-schema';

jest.setTimeout(60_000);

const HEAD = new MIGRATIONS[MIGRATIONS.length - 1]().name;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-dbmodule-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Loads esi-leap.conf made of these lines (isolated from the machine's own config files). */
function configWith(lines: string[]): LoadedConfig {
  const file = path.join(dir, 'esi-leap.conf');
  writeFileSync(file, lines.join('\n'));
  return loadConfig({ configFiles: [file], env: {}, homeDir: dir, etcDir: dir, cwd: dir });
}

async function boot(loaded: LoadedConfig): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(loaded), DatabaseModule.forRoot()],
  }).compile();
  return moduleRef.init();
}

async function revisionOf(app: INestApplicationContext): Promise<string | null> {
  return new SchemaMigrator(app.get(DataSource)).currentRevision();
}

describe.each(testDatabaseKinds())('DatabaseModule on %s', (kind) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(kind, { migrated: false });
  });
  afterEach(() => db.drop());

  it('with auto_upgrade it migrates to head before anything can use the DataSource, and provides TransactionRunner', async () => {
    const app = await boot(configWith(['[database]', `connection = ${db.connection}`, 'auto_upgrade = true']));
    try {
      expect(await revisionOf(app)).toBe(HEAD);
      await expect(app.get(TransactionRunner).run(async (em) => em.query('SELECT 1 AS one'))).resolves.toEqual([
        { one: 1 },
      ]);
    } finally {
      await app.close();
    }
  });

  it('without auto_upgrade it leaves the schema alone', async () => {
    const app = await boot(configWith(['[database]', `connection = ${db.connection}`]));
    try {
      expect(await revisionOf(app)).toBeNull();
    } finally {
      await app.close();
    }
  });

  it('a failing auto_upgrade stops the start at once (no connection retries)', async () => {
    for (const sql of [...UPSTREAM_CREATE_ALL[kind], ...alembicStamp('ffffffffffff')]) await db.dataSource.query(sql);
    const started = Date.now();
    await expect(
      boot(configWith(['[database]', `connection = ${db.connection}`, 'auto_upgrade = true', 'retry_interval = 30'])),
    ).rejects.toThrow(/^\[database\] auto_upgrade: applying migrations failed: alembic_version is ffffffffffff/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('DatabaseModule configuration', () => {
  it('embedded mode (no config file) creates ./data/esi-leap.sqlite and migrates it', async () => {
    const loaded = loadConfig({ env: {}, homeDir: dir, etcDir: dir, cwd: dir });
    expect(loaded.embedded).toBe(true);
    const app = await boot(loaded);
    try {
      expect(existsSync(path.join(dir, 'data', 'esi-leap.sqlite'))).toBe(true);
      expect(await revisionOf(app)).toBe(HEAD);
    } finally {
      await app.close();
    }
  });

  it('a config file without [database] connection fails with the option name', async () => {
    await expect(boot(configWith(['[DEFAULT]', 'host = x']))).rejects.toThrow(
      '[database] connection: required option is not set',
    );
  });
});

import { INestApplication, Type } from '@nestjs/common';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app/app.module';
import { configureHttpApp } from '../../src/app/http-app';
import { Clock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/config-loader';
import { ManagerScheduler } from '../../src/manager/manager.scheduler';
import { DummyNodeDriver } from '../../src/drivers/dummy-node.driver';
import { RESOURCE_DRIVERS } from '../../src/drivers/resource-driver';
import { NotificationRelayScheduler } from '../../src/notifications/notification-relay.scheduler';
import { createTestDatabase, TestDatabaseKind } from '../helpers/test-databases';
import { headersFor, P, Persona, PROJECT_ENTRIES } from './projects';
import { TestNodeDriver } from './test-node.driver';

export interface TestApp {
  readonly app: INestApplication;
  readonly dataSource: DataSource;
  readonly nodes: TestNodeDriver;
  readonly dummyNodeDir: string;
  readonly kind: TestDatabaseKind;
  /** The `[database] connection` URL, to open a second app on the same database. */
  readonly connection: string;
  /** A supertest agent acting as the given persona. */
  as(persona: Persona): PersonaClient;
  http(): ReturnType<typeof request>;
  /** Listens on a loopback port (once) and returns its base URL, for concurrent real HTTP. */
  url(): Promise<string>;
  close(): Promise<void>;
}

type Method = 'get' | 'post' | 'patch' | 'delete' | 'put';
export type PersonaClient = Record<Method, (url: string) => request.Test>;

export interface TestAppOptions {
  kind?: TestDatabaseKind;
  /** Extra `esi-leap.conf` lines, appended after the defaults. */
  conf?: string;
  clock?: Clock;
  /** `[pecan] auth_enable = true`: identities come from Keystone tokens (`conf` must configure it). */
  authEnable?: boolean;
  /**
   * Also load the manager role: `jobs` gives ManagerJobs for tests to call (no scheduler),
   * `scheduled` runs the real scheduler.
   */
  manager?: 'jobs' | 'scheduled';
  /**
   * The notification relay's own background loop (on with the manager). `manual`: off, the
   * test calls NotificationRelay itself.
   */
  relay?: 'loop' | 'manual';
  /** Share one in-memory node driver between apps (several "processes" on one database). */
  nodes?: TestNodeDriver;
  /** `production`: only the real resource drivers (dummy, Ironic), without the test node driver. */
  drivers?: 'with-test-node' | 'production';
  /** Use this existing database (a `[database] connection` URL) instead of a fresh one. */
  connection?: string;
  /** Modules loaded beside the app's, for tests of core services no route of the app uses yet. */
  imports?: ReadonlyArray<Type>;
  /** Providers replaced by values, e.g. a background loop the test drives itself. */
  overrides?: ReadonlyArray<{
    readonly provide: Parameters<TestingModuleBuilder['overrideProvider']>[0];
    readonly useValue: unknown;
  }>;
}

/**
 * Boots the whole API in-process against a fresh database (migrations applied), in noauth
 * mode with policy enforced on the identity headers, the dummy and test node drivers, and
 * returns HTTP clients per persona.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const kind = options.kind ?? 'sqlite';
  const db = options.connection ? null : await createTestDatabase(kind);
  const connection = options.connection ?? db!.connection;
  const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-e2e-'));
  const nodes = options.nodes ?? new TestNodeDriver();
  let app: INestApplication;
  try {
    app = await bootApp(options, connection, dir, nodes);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
    throw err;
  }
  const dataSource = app.get(DataSource);
  const http = () => request(app.getHttpServer());
  return {
    app,
    dataSource,
    nodes,
    dummyNodeDir: path.join(dir, 'nodes'),
    kind,
    connection,
    http,
    as(persona: Persona): PersonaClient {
      const headers = headersFor(persona);
      const wrap = (method: Method) => (url: string) => http()[method](url).set(headers);
      return { get: wrap('get'), post: wrap('post'), patch: wrap('patch'), delete: wrap('delete'), put: wrap('put') };
    },
    async url() {
      const server = app.getHttpServer() as import('node:http').Server;
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address() as import('node:net').AddressInfo;
      return `http://127.0.0.1:${address.port}`;
    },
    async close() {
      try {
        await app.close();
        await db?.drop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Writes the app's esi-leap.conf into `dir` and boots the API (and the manager, if asked). */
async function bootApp(
  options: TestAppOptions,
  connection: string,
  dir: string,
  nodes: TestNodeDriver,
): Promise<INestApplication> {
  const confFile = path.join(dir, 'esi-leap.conf');
  writeFileSync(
    confFile,
    [
      '[DEFAULT]',
      'host = e2e',
      '[api]',
      'default_resource_type = test_node',
      '[pecan]',
      `auth_enable = ${options.authEnable ? 'true' : 'false'}`,
      '[database]',
      `connection = ${connection}`,
      '[dummy_node]',
      `dummy_node_dir = ${path.join(dir, 'nodes')}`,
      // Node health's reconcile would read every booked node at start; its tests turn it on.
      '[node_health]',
      'reconcile_interval = 0',
      '[noauth]',
      `project_id = ${P.admin}`,
      'project_name = admin',
      'roles = admin',
      `projects = ${PROJECT_ENTRIES.join(',')}`,
      options.conf ?? '',
    ].join('\n'),
  );
  const loaded = loadConfig({ configFiles: [confFile], env: {} });
  let builder = Test.createTestingModule({
    imports: [
      AppModule.forRoot(loaded, { api: true, manager: options.manager !== undefined }),
      ...(options.imports ?? []),
    ],
  });
  if (options.drivers !== 'production') {
    builder = builder
      .overrideProvider(RESOURCE_DRIVERS)
      .useFactory({ factory: (dummy: DummyNodeDriver) => [dummy, nodes], inject: [DummyNodeDriver] });
  }
  if (options.clock) builder = builder.overrideProvider(Clock).useValue(options.clock);
  if (options.manager === 'jobs') builder = builder.overrideProvider(ManagerScheduler).useValue({});
  if (options.relay === 'manual') builder = builder.overrideProvider(NotificationRelayScheduler).useValue({});
  for (const { provide, useValue } of options.overrides ?? [])
    builder = builder.overrideProvider(provide).useValue(useValue);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: ['error'] });
  configureHttpApp(app);
  try {
    await app.init();
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}

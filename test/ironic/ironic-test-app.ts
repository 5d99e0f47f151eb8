import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { AppModule } from '../../src/app/app.module';
import { configureHttpApp } from '../../src/app/http-app';
import { Clock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/config-loader';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { ManagerScheduler } from '../../src/manager/manager.scheduler';
import { createTestDatabase } from '../helpers/test-databases';
import { headersFor, P, Persona, PROJECT_ENTRIES } from '../support/projects';

export interface IronicTestApp {
  readonly app: INestApplication;
  /** The manager's jobs, called by the test (the scheduler does not run). */
  readonly jobs: ManagerJobs;
  as(persona: Persona): Record<'get' | 'post' | 'patch' | 'delete', (url: string) => request.Test>;
  /** Requests with explicit identity headers (e.g. the node's lessee acting as sub-lessor). */
  with(headers: Record<string, string>): Record<'get' | 'post' | 'delete', (url: string) => request.Test>;
  close(): Promise<void>;
}

/**
 * The API and manager in-process with the production resource drivers (no test driver), the
 * default resource type `ironic_node`, and `[ironic]` pointing at a standalone Ironic without
 * authentication: the configuration an operator would write for one (docs/ironic.md).
 */
export async function createIronicTestApp(ironicUrl: string, clock: Clock, extraConf = ''): Promise<IronicTestApp> {
  const db = await createTestDatabase('sqlite');
  const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-ironic-e2e-'));
  const confFile = path.join(dir, 'esi-leap.conf');
  writeFileSync(
    confFile,
    [
      '[DEFAULT]',
      'host = ironic-e2e',
      '[api]',
      'default_resource_type = ironic_node',
      '[pecan]',
      'auth_enable = false',
      '[database]',
      `connection = ${db.connection}`,
      '[noauth]',
      `project_id = ${P.admin}`,
      'project_name = admin',
      'roles = admin',
      `projects = ${PROJECT_ENTRIES.join(',')}`,
      '[ironic]',
      'auth_type = none',
      `endpoint_override = ${ironicUrl}`,
      extraConf,
    ].join('\n'),
  );
  const loaded = loadConfig({ configFiles: [confFile], env: {} });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(loaded, { api: true, manager: true })],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .overrideProvider(ManagerScheduler)
    .useValue({})
    .compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: ['error'] });
  configureHttpApp(app);
  await app.init();
  const http = () => request(app.getHttpServer());
  const withHeaders = (headers: Record<string, string>) => ({
    get: (url: string) => http().get(url).set(headers),
    post: (url: string) => http().post(url).set(headers),
    patch: (url: string) => http().patch(url).set(headers),
    delete: (url: string) => http().delete(url).set(headers),
  });
  return {
    app,
    jobs: app.get(ManagerJobs),
    as: (persona) => withHeaders(headersFor(persona)),
    with: withHeaders,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

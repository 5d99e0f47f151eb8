import request from 'supertest';
import { Clock } from '../../src/common/clock';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { createTestApp, TestApp } from '../support/test-app';

export type IronicTestApp = TestApp & {
  /** The manager's jobs, called by the test (the scheduler does not run). */
  readonly jobs: ManagerJobs;
  /** Requests with explicit identity headers (e.g. the node's lessee acting as sub-lessor). */
  with(headers: Record<string, string>): Record<'get' | 'post' | 'delete', (url: string) => request.Test>;
};

/**
 * The API and manager in-process with the production resource drivers (no test driver), the
 * default resource type `ironic_node`, and `[ironic]` pointing at a standalone Ironic without
 * authentication: the configuration an operator would write for one (docs/ironic.md).
 */
export async function createIronicTestApp(ironicUrl: string, clock: Clock, extraConf = ''): Promise<IronicTestApp> {
  const t = await createTestApp({
    kind: 'sqlite',
    clock,
    manager: 'jobs',
    drivers: 'production',
    conf: [
      '[DEFAULT]',
      'host = ironic-e2e',
      '[api]',
      'default_resource_type = ironic_node',
      '[ironic]',
      'auth_type = none',
      `endpoint_override = ${ironicUrl}`,
      extraConf,
    ].join('\n'),
  });
  return Object.assign(t, {
    jobs: t.app.get(ManagerJobs),
    with: (headers: Record<string, string>) => ({
      get: (url: string) => t.http().get(url).set(headers),
      post: (url: string) => t.http().post(url).set(headers),
      delete: (url: string) => t.http().delete(url).set(headers),
    }),
  });
}

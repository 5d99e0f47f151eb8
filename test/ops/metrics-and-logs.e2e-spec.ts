import { Logger } from '@nestjs/common';
import { Server } from 'node:http';
import { listenForStatus } from '../../src/cli/status-listener';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { freePort } from '../support/child-http';
import { createTestApp, TestApp, TestAppOptions } from '../support/test-app';

/** An app with `[metrics] enabled` and its status port listening, where /metrics is served. */
async function withMetrics(
  options: TestAppOptions = {},
): Promise<{ t: TestApp; scrape: () => Promise<Response>; close: () => Promise<void> }> {
  const port = await freePort();
  const t = await createTestApp({ ...options, conf: `[DEFAULT]\nstatus_port = ${port}\n[metrics]\nenabled = true` });
  const status: Server = await listenForStatus(t.app, '127.0.0.1', port);
  return {
    t,
    scrape: () => fetch(`http://127.0.0.1:${port}/metrics`),
    close: async () => {
      await new Promise((resolve) => status.close(resolve));
      await t.close();
    },
  };
}

describe('[metrics] enabled: /metrics and the request log line', () => {
  let t: TestApp;
  let scrape: () => Promise<Response>;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ t, scrape, close } = await withMetrics());
  });
  afterAll(() => close());

  it('counts requests by route template and status, with latency', async () => {
    await t.as('owner').get('/v1/offers').expect(200);
    await t.as('owner').get('/v1/offers/no-such-offer').expect(404);
    await t.http().get('/no/such/route').expect(404);
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('esi_leap_http_requests_total{method="GET",route="/v1/offers",status="200"} 1');
    expect(text).toContain('esi_leap_http_requests_total{method="GET",route="/v1/offers/:ident",status="404"} 1');
    expect(text).toContain('esi_leap_http_requests_total{method="GET",route="<unmatched>",status="404"} 1');
    expect(text).toMatch(
      /esi_leap_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/v1\/offers",status="200"\}/,
    );
    // SQLite: no pool; migrations create the relay cursor, so the backlog is known.
    expect(text).toMatch(/^esi_leap_notification_outbox_backlog \d+$/m);
    expect(text).not.toMatch(/^esi_leap_db_pool_connections\{/m);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('logs one structured line per request with id, route, status, duration and project', async () => {
    const log = jest.spyOn(Logger.prototype, 'log');
    try {
      const res = await t.as('owner').get('/v1/leases?status=active').set('X-Auth-Token', 'secret-token').expect(200);
      const lines = log.mock.calls
        .map(([message]) => message as Record<string, unknown>)
        .filter((m) => m?.event === 'http.request');
      expect(lines).toEqual([
        {
          event: 'http.request',
          request_id: res.headers['x-openstack-request-id'],
          method: 'GET',
          route: '/v1/leases',
          path: '/v1/leases',
          status: 200,
          duration_ms: expect.any(Number),
          project_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        },
      ]);
      expect(JSON.stringify(lines)).not.toContain('secret-token');
    } finally {
      log.mockRestore();
    }
  });

  it('reports manager metrics only where the manager runs', async () => {
    const text = await (await scrape()).text();
    expect(text).not.toMatch(/^esi_leap_manager_events_total\{/m);
  });
});

describe('[metrics] enabled with the manager role', () => {
  let t: TestApp;
  let scrape: () => Promise<Response>;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ t, scrape, close } = await withMetrics({ manager: 'jobs' }));
  });
  afterAll(() => close());

  it('exposes the manager counters and the age of its last run', async () => {
    await t.app.get(ManagerJobs).runAll();
    const text = await (await scrape()).text();
    expect(text).toContain('esi_leap_manager_events_total{kind="fulfilled"} 0');
    expect(text).toMatch(/^esi_leap_manager_last_run_age_seconds \d/m);
  });
});

import { Server } from 'node:http';
import { listenForStatus } from '../../src/cli/status-listener';
import { freePort } from '../support/child-http';
import { createTestApp, TestApp } from '../support/test-app';

/** `[DEFAULT] status_port` beside the API: probes and the scraper there, the API clients on its own port. */
describe('the status port of an API process', () => {
  let t: TestApp;
  let status: Server;
  let statusUrl: string;
  let apiUrl: string;
  beforeAll(async () => {
    const port = await freePort();
    t = await createTestApp({ conf: `[DEFAULT]\nstatus_port = ${port}\n[metrics]\nenabled = true` });
    status = await listenForStatus(t.app, '127.0.0.1', port);
    statusUrl = `http://127.0.0.1:${port}`;
    apiUrl = await t.url();
  });
  afterAll(async () => {
    await new Promise((resolve) => status.close(resolve));
    await t.close();
  });

  it('serves /metrics without a token on the status port only; the API port does not have it', async () => {
    const scraped = await fetch(`${statusUrl}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('process_cpu_user_seconds_total');
    const onApi = await fetch(`${apiUrl}/metrics`);
    expect(onApi.status).toBe(404);
    expect(await onApi.text()).not.toContain('process_cpu_user_seconds_total');
  });

  it('serves /healthcheck on both ports', async () => {
    expect((await fetch(`${statusUrl}/healthcheck`)).status).toBe(200);
    expect((await fetch(`${apiUrl}/healthcheck`)).status).toBe(200);
  });

  it('never serves the API on the status port', async () => {
    for (const path of ['/', '/v1/offers', '/docs']) {
      const res = await fetch(`${statusUrl}${path}`);
      expect([path, res.status]).toEqual([path, 404]);
      expect(await res.text()).toContain('serves /healthcheck and /metrics only');
    }
    expect((await fetch(`${apiUrl}/v1/offers`, { headers: { 'X-Roles': 'admin' } })).status).toBe(200);
  });
});

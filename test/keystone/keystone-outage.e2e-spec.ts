/**
 * A Keystone that accepts connections and never answers costs each request at most
 * `call_timeout`, then a 503 naming Keystone, and `/healthcheck` reports it from a cached probe,
 * so probing cannot multiply the load on Keystone.
 */
import { Logger } from '@nestjs/common';
import { createTestApp, TestApp } from '../support/test-app';
import { SilentServer } from '../support/silent-server';
import { issueToken, keystoneConf, KeystoneIdentity, startKeystone } from './keystone-service';

const UNAVAILABLE = { faultcode: 'Server', faultstring: 'Keystone is unavailable.', debuginfo: null };

describe('Keystone that never answers', () => {
  let ks: KeystoneIdentity;
  let token: string;
  const apps: TestApp[] = [];
  const silent: SilentServer[] = [];

  beforeAll(async () => {
    ks = await startKeystone();
    token = await issueToken(ks, 'esi-owner-user', ks.user_password, 'esi-owner');
  }, 660_000);

  afterAll(async () => {
    await Promise.all(apps.map((t) => t.close()));
    await Promise.all(silent.map((s) => s.stop()));
  });

  async function hungKeystone(): Promise<{ server: SilentServer; v3: string }> {
    const server = new SilentServer();
    silent.push(server);
    return { server, v3: `${await server.start()}/v3` };
  }

  async function app(conf: string): Promise<TestApp> {
    const t = await createTestApp({ authEnable: true, conf });
    apps.push(t);
    return t;
  }

  async function errorsLoggedDuring(action: () => Promise<void>): Promise<string[]> {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await action();
      return logged.mock.calls.map(([line]) => String(line));
    } finally {
      logged.mockRestore();
    }
  }

  it('token validation gives up after [keystone_authtoken] call_timeout with a 503, and logs the time-out', async () => {
    const { v3 } = await hungKeystone();
    const t = await app(keystoneConf(ks, { authUrl: v3, keystoneUrl: ks.auth_url, authtoken: ['call_timeout = 1'] }));
    let res: { status: number; body: unknown } = { status: 0, body: null };
    const errors = await errorsLoggedDuring(async () => {
      res = await t.http().get('/v1/offers').set('X-Auth-Token', token);
    });
    expect(res.status).toBe(503);
    expect(res.body).toEqual(UNAVAILABLE);
    expect(errors).toContainEqual(
      expect.stringMatching(new RegExp(`^POST ${v3}/auth/tokens failed: timed out: no answer after \\d+ ms$`)),
    );
  });

  it('project look-ups give up after [keystone] call_timeout with a 503 naming Keystone', async () => {
    const { v3 } = await hungKeystone();
    const t = await app(keystoneConf(ks, { keystoneUrl: v3, keystone: ['call_timeout = 1'] }));
    let res: { status: number; body: unknown } = { status: 0, body: null };
    const errors = await errorsLoggedDuring(async () => {
      res = await t.http().get('/v1/offers?project_id=esi-owner').set('X-Auth-Token', token);
    });
    expect(res.status).toBe(503);
    expect(res.body).toEqual(UNAVAILABLE);
    expect(errors.join('\n')).toMatch(/timed out: no answer after \d+ ms/);
  });

  describe('/healthcheck', () => {
    it('reports a hung Keystone as failing, and asks it once however often it is probed', async () => {
      const { server, v3 } = await hungKeystone();
      const t = await app(keystoneConf(ks, { authUrl: v3, keystoneUrl: ks.auth_url }));
      const first = await t.http().get('/healthcheck');
      expect(first.status).toBe(503);
      expect(first.body.failing).toEqual(['keystone']);
      expect(first.body.checks.keystone).toMatchObject({
        status: 'failing',
        error: expect.stringMatching(/^timed out: no answer after \d+ ms$/),
      });
      expect(server.requests).toBe(1);
      const again = await Promise.all(Array.from({ length: 10 }, () => t.http().get('/healthcheck')));
      expect(again.map((r) => r.status)).toEqual(Array(10).fill(503));
      expect(again.map((r) => r.body.checks.keystone.checked_at)).toEqual(
        Array(10).fill(first.body.checks.keystone.checked_at),
      );
      expect(server.requests).toBe(1);
    });

    it('reports a working Keystone as ok, and ?check=database leaves Keystone out', async () => {
      const t = await app(keystoneConf(ks));
      const res = await t.http().get('/healthcheck');
      expect(res.status).toBe(200);
      expect(res.body.checks.keystone).toEqual({
        status: 'ok',
        duration_ms: expect.any(Number),
        checked_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      const database = await t.http().get('/healthcheck?check=database');
      expect(Object.keys(database.body.checks)).toEqual(['database']);
    });
  });
});

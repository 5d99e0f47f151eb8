/**
 * A burst of requests with a token esi-leap has not seen yet asks the real Keystone once per
 * question: one validation of the token, one project list, one look-up per project of the
 * caller's parent chain. Counted on the server side by a proxy in front of Keystone.
 */
import { ForwardingProxy } from '../support/forwarding-proxy';
import { createTestApp, TestApp } from '../support/test-app';
import { issueToken, keystoneConf, KeystoneIdentity, startKeystone } from './keystone-service';

const CONCURRENT = 20;

describe('Keystone look-ups under a burst of requests (real Keystone)', () => {
  let ks: KeystoneIdentity;
  let proxy: ForwardingProxy;
  let t: TestApp;
  let base: string;
  let v3: string;

  beforeAll(async () => {
    ks = await startKeystone();
    proxy = new ForwardingProxy(ks.auth_url);
    v3 = `${await proxy.start()}/v3`;
    t = await createTestApp({
      authEnable: true,
      conf: keystoneConf(ks, { authUrl: v3, keystone: [`endpoint_override = ${v3}`] }),
    });
    base = await t.url();
    await offerToLessees();
  }, 660_000);

  /**
   * One offer to `esi-lessee`, made through a noauth app on the same database, so that listing
   * offers needs project names and Keystone has seen nothing of it yet.
   */
  async function offerToLessees(): Promise<void> {
    const owner = ks.projects['esi-owner'];
    const noauth = await createTestApp({ connection: t.connection, nodes: t.nodes });
    try {
      t.nodes.add('burst-node', { owner });
      const created = await noauth
        .http()
        .post('/v1/offers')
        .set({ 'X-Project-Id': owner, 'X-Roles': 'owner' })
        .send({ resource_uuid: 'burst-node', lessee_id: ks.projects['esi-lessee'] });
      expect(created.status).toBe(201);
    } finally {
      await noauth.close();
    }
  }

  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
  });

  it(`${CONCURRENT} concurrent requests with a fresh token cause exactly one validation of it`, async () => {
    const token = await issueToken(ks, 'esi-sublessee-user', ks.user_password, 'esi-lessee-child');
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, () => fetch(`${base}/v1/offers`, { headers: { 'X-Auth-Token': token } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(CONCURRENT).fill(200));
    // The sub-project sees the offer made to its parent: names and the parent chain were needed.
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { offers: { lessee: string }[] }[];
    expect(bodies.map((b) => b.offers.map((o) => o.lessee))).toEqual(Array(CONCURRENT).fill(['esi-lessee']));

    const validations = proxy.seen('GET', /^\/v3\/auth\/tokens/).filter((r) => r.headers['x-subject-token'] === token);
    expect(validations).toHaveLength(1);
    // One service token per section ([keystone_authtoken], [keystone]), however many requests wait for it.
    expect(proxy.seen('POST', /^\/v3\/auth\/tokens$/)).toHaveLength(2);
    // The offer list is decorated from one project list; the caller's parent chain is read once.
    expect(proxy.seen('GET', /^\/v3\/projects$/)).toHaveLength(1);
    const child = ks.projects['esi-lessee-child'];
    const parent = ks.projects['esi-lessee'];
    expect(proxy.seen('GET', new RegExp(`^/v3/projects/${child}$`))).toHaveLength(1);
    expect(proxy.seen('GET', new RegExp(`^/v3/projects/${parent}$`))).toHaveLength(1);
  });
  it('keeps at most max_connections open to Keystone while 20 different fresh tokens are validated', async () => {
    const bounded = await createTestApp({
      authEnable: true,
      conf: keystoneConf(ks, {
        authUrl: v3,
        authtoken: ['max_connections = 2'],
        keystone: [`endpoint_override = ${v3}`, 'max_connections = 1'],
      }),
    });
    try {
      const url = await bounded.url();
      const tokens = [];
      for (let i = 0; i < CONCURRENT; i++)
        tokens.push(await issueToken(ks, 'esi-lessee-user', ks.user_password, 'esi-lessee'));
      proxy.resetPeak();
      const responses = await Promise.all(
        tokens.map((token) => fetch(`${url}/v1/offers`, { headers: { 'X-Auth-Token': token } })),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(CONCURRENT).fill(200));
      const validated = new Set(proxy.seen('GET', /^\/v3\/auth\/tokens/).map((r) => r.headers['x-subject-token']));
      expect(tokens.filter((token) => validated.has(token))).toHaveLength(CONCURRENT);
      // Every token needs its own validation, yet the two sections' pools open at most 2 + 1.
      expect(proxy.peakConnections).toBeLessThanOrEqual(3);
    } finally {
      await bounded.close();
    }
  });
});

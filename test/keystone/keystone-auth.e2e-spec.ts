/**
 * The API with `[pecan] auth_enable = true` against a real Keystone (test/services/keystone.sh):
 * token validation, the Keystone project directory (names, the parent chain) and policy on token
 * identities.
 */
import { Logger } from '@nestjs/common';
import { freePort } from '../support/child-http';
import { createTestApp, TestApp } from '../support/test-app';
import { issueToken, keystoneConf, KeystoneIdentity, startKeystone } from './keystone-service';

const UNAUTHORIZED = {
  error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
};

describe('Keystone authentication (real Keystone)', () => {
  let ks: KeystoneIdentity;
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let seq = 0;
  const node = () => {
    const uuid = `ks-node-${++seq}`;
    t.nodes.add(uuid, { owner: ks.projects['esi-owner'] });
    return uuid;
  };
  const as = (who: string) => {
    const token = tokens[who];
    return {
      get: (url: string) => t.http().get(url).set('X-Auth-Token', token),
      post: (url: string) => t.http().post(url).set('X-Auth-Token', token),
      delete: (url: string) => t.http().delete(url).set('X-Auth-Token', token),
    };
  };

  beforeAll(async () => {
    ks = await startKeystone();
    tokens.admin = await issueToken(ks, ks.admin.user, ks.admin.password, ks.admin.project);
    for (const [name, user] of Object.entries(ks.users)) {
      if (name !== ks.service.user) tokens[name] = await issueToken(ks, name, ks.user_password, user.project);
    }
    t = await createTestApp({ authEnable: true, conf: keystoneConf(ks) });
  }, 660_000);
  afterAll(() => t?.close());

  describe('token validation', () => {
    it('keeps / public', async () => {
      const res = await t.http().get('/');
      expect(res.status).toBe(200);
    });

    it.each([
      ['no token', {}],
      ['a garbage X-Auth-Token', { 'X-Auth-Token': 'gAAAAA-not-a-token' }],
      ['a garbage bearer token', { Authorization: 'Bearer gAAAAA-not-a-token' }],
      ['another scheme', { Authorization: 'Basic dXNlcjpwYXNz' }],
      ['a token that is not a header value', { 'X-Auth-Token': 'x'.repeat(9000) }],
    ])('answers 401 in keystonemiddleware form for %s', async (_label, headers) => {
      const res = await t.http().get('/v1/offers').set(headers);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.headers['www-authenticate']).toBe('Keystone uri="http://keystone.example:5000"');
      expect(res.body).toEqual(UNAUTHORIZED);
    });

    it('authenticates before parsing the body (a bad body without a token is a 401, not a 400)', async () => {
      const res = await t.http().post('/v1/offers').set('Content-Type', 'application/json').send('{not json');
      expect(res.status).toBe(401);
    });

    it('refuses a revoked token', async () => {
      const token = await issueToken(ks, 'esi-lessee-user', ks.user_password, 'esi-lessee');
      const revoke = await fetch(`${ks.auth_url}/auth/tokens`, {
        method: 'DELETE',
        headers: { 'X-Auth-Token': tokens.admin, 'X-Subject-Token': token },
      });
      expect(revoke.status).toBe(204);
      const res = await t.http().get('/v1/offers').set('X-Auth-Token', token);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED);
    });

    it('accepts Authorization: Bearer like X-Auth-Token', async () => {
      const viaHeader = await as('esi-owner-user').get('/v1/offers');
      const viaBearer = await t.http().get('/v1/offers').set('Authorization', `Bearer ${tokens['esi-owner-user']}`);
      expect(viaHeader.status).toBe(200);
      expect(viaBearer.status).toBe(200);
      expect(viaBearer.body).toEqual(viaHeader.body);
    });

    it('refuses a token in the query string', async () => {
      const res = await t.http().get(`/v1/offers?access_token=${tokens['esi-owner-user']}`);
      expect(res.status).toBe(401);
    });

    it('ignores spoofed identity headers: the token decides', async () => {
      const res = await as('esi-lessee-user')
        .post('/v1/offers')
        .set({ 'X-Roles': 'admin', 'X-Project-Id': ks.projects['esi-owner'], 'X-Identity-Status': 'Confirmed' })
        .send({ resource_uuid: node() });
      expect(res.status).toBe(403);
      expect(res.body.faultstring).toBe('Access was denied to esi_leap:offer:create.');
    });
  });

  describe('offer → claim → lease → cancel with real tokens', () => {
    it('lets a sub-project lessee claim an offer made to its parent project, and cancel the lease', async () => {
      const created = await as('esi-owner-user')
        .post('/v1/offers')
        .send({ resource_uuid: node(), lessee_id: 'esi-lessee', name: 'ks-offer' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        project_id: ks.projects['esi-owner'],
        project: 'esi-owner',
        lessee_id: ks.projects['esi-lessee'],
        lessee: 'esi-lessee',
      });
      const offer = created.body.uuid as string;

      const seenByChild = await as('esi-sublessee-user').get('/v1/offers');
      expect(seenByChild.status).toBe(200);
      expect(seenByChild.body.offers.map((o: { uuid: string }) => o.uuid)).toContain(offer);
      const hiddenFromOther = await as('esi-other-user').get(`/v1/offers/${offer}`);
      expect(hiddenFromOther.status).toBe(403);
      expect(hiddenFromOther.body.faultstring).toBe(`Access was denied to offer ${offer}.`);

      const claimed = await as('esi-sublessee-user').post(`/v1/offers/${offer}/claim`).send({});
      expect(claimed.status).toBe(201);
      expect(claimed.body).toMatchObject({
        project_id: ks.projects['esi-lessee-child'],
        project: 'esi-lessee-child',
        owner_id: ks.projects['esi-owner'],
        owner: 'esi-owner',
        offer_uuid: offer,
      });
      const lease = claimed.body.uuid as string;

      expect((await as('esi-sublessee-user').get(`/v1/leases/${lease}`)).status).toBe(200);
      expect((await as('esi-owner-user').get(`/v1/leases/${lease}`)).status).toBe(200);
      const stranger = await as('esi-other-user').get(`/v1/leases/${lease}`);
      expect(stranger.status).toBe(403);
      expect(stranger.body.faultstring).toBe(`Access was denied to lease ${lease}.`);

      const cancelled = await as('esi-sublessee-user').delete(`/v1/leases/${lease}`);
      expect(cancelled.status).toBe(200);
      const after = await as('admin').get(`/v1/leases/${lease}`);
      expect(after.body.status).toBe('deleted');
    });
  });

  describe('policy on token identities (a subset of the matrix)', () => {
    it.each([
      ['esi-norole-user', 'get', '/v1/offers', 403, 'Access was denied to esi_leap:offer:get_all.'],
      ['esi-norole-user', 'get', '/v1/leases', 403, 'Access was denied to esi_leap:lease:get_all.'],
      ['esi-lessee-user', 'get', '/v1/offers', 200, null],
      ['esi-other-user', 'get', '/v1/leases', 200, null],
      ['esi-owner-user', 'get', '/v1/leases?view=all', 403, 'Access was denied to esi_leap:lease:lease_admin.'],
      ['admin', 'get', '/v1/leases?view=all', 200, null],
    ] as const)('%s %s %s → %i', async (who, _method, url, status, faultstring) => {
      const res = await as(who).get(url);
      expect(res.status).toBe(status);
      if (faultstring) expect(res.body.faultstring).toBe(faultstring);
    });

    it('grants offer creation to the esi_leap_owner role and refuses it to lessees', async () => {
      expect((await as('esi-owner-user2').post('/v1/offers').send({ resource_uuid: node() })).status).toBe(201);
      const lessee = await as('esi-sublessee-user').post('/v1/offers').send({ resource_uuid: node() });
      expect(lessee.status).toBe(403);
    });

    it('refuses an offer on a node the caller does not own', async () => {
      const uuid = `ks-foreign-${++seq}`;
      t.nodes.add(uuid, { owner: ks.projects['esi-other'] });
      const res = await as('esi-owner-user').post('/v1/offers').send({ resource_uuid: uuid });
      expect(res.status).toBe(403);
      expect(res.body.faultstring).toBe(`Access was denied to test_node ${uuid}.`);
    });
  });

  describe('Keystone unreachable', () => {
    let dead: TestApp;
    let deadUrl: string;
    beforeAll(async () => {
      // A port nothing listens on: connections are refused at once.
      deadUrl = `http://127.0.0.1:${await freePort()}/v3`;
      dead = await createTestApp({ authEnable: true, conf: keystoneConf(ks, { authUrl: deadUrl }) });
    });
    afterAll(() => dead?.close());

    it('answers 503 in the esi-leap error format: never an allow, never a 500; the log says why', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const res = await dead.http().get('/v1/offers').set('X-Auth-Token', tokens['esi-owner-user']);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ faultcode: 'Server', faultstring: 'Keystone is unavailable.', debuginfo: null });
      expect(logged.mock.calls.map(([line]) => String(line))).toContainEqual(
        `POST ${deadUrl}/auth/tokens failed: connection refused: connect ECONNREFUSED ${new URL(deadUrl).host} (ECONNREFUSED)`,
      );
      logged.mockRestore();
    });

    it('still answers 401 without a token (no Keystone call needed)', async () => {
      expect((await dead.http().get('/v1/offers')).status).toBe(401);
    });
  });
});

/**
 * The TLS options of `[keystone_authtoken]` and `[keystone]` (cafile, certfile, keyfile,
 * insecure) against the run's real Keystone behind a TLS terminator whose certificates are made
 * with openssl for this file: a private CA works when configured, and when it is not the request
 * gets a 503 while the log says what went wrong.
 */
import { Logger } from '@nestjs/common';
import { ForwardingProxy } from '../support/forwarding-proxy';
import { createTestApp, TestApp } from '../support/test-app';
import { createTestPki, TestPki } from '../support/test-pki';
import { issueToken, keystoneConf, KeystoneIdentity, startKeystone } from './keystone-service';

const UNAVAILABLE = { faultcode: 'Server', faultstring: 'Keystone is unavailable.', debuginfo: null };

describe('Keystone over TLS (real Keystone behind a TLS terminator)', () => {
  let ks: KeystoneIdentity;
  let pki: TestPki;
  let tls: ForwardingProxy;
  let mutualTls: ForwardingProxy;
  /** Identity v3 through the TLS terminator, and through one that also wants a client certificate. */
  let httpsV3: string;
  let mutualV3: string;
  let token: string;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    ks = await startKeystone();
    pki = createTestPki();
    tls = new ForwardingProxy(ks.auth_url, { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile });
    mutualTls = new ForwardingProxy(ks.auth_url, {
      certFile: pki.serverCertFile,
      keyFile: pki.serverKeyFile,
      clientCaFile: pki.caFile,
    });
    httpsV3 = `${await tls.start()}/v3`;
    mutualV3 = `${await mutualTls.start()}/v3`;
    token = await issueToken(ks, 'esi-owner-user', ks.user_password, 'esi-owner');
  }, 660_000);

  afterAll(async () => {
    await Promise.all(apps.map((t) => t.close()));
    await tls?.stop();
    await mutualTls?.stop();
    pki?.remove();
  });

  /** An app whose token validation goes to `authtokenUrl` with these extra `[keystone_authtoken]` lines. */
  async function validatingThrough(authtokenUrl: string, authtoken: string[]): Promise<TestApp> {
    const t = await createTestApp({
      authEnable: true,
      conf: keystoneConf(ks, { authUrl: authtokenUrl, keystoneUrl: ks.auth_url, authtoken }),
    });
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

  describe('[keystone_authtoken]', () => {
    it('validates tokens through a private CA given as cafile', async () => {
      const t = await validatingThrough(httpsV3, [`cafile = ${pki.caFile}`]);
      const res = await t.http().get('/v1/offers').set('X-Auth-Token', token);
      expect(res.status).toBe(200);
      expect(tls.seen('GET', /^\/v3\/auth\/tokens/)).not.toHaveLength(0);
    });

    it('answers 503 with a CA that did not sign the certificate, and logs the certificate problem', async () => {
      const t = await validatingThrough(httpsV3, [`cafile = ${pki.otherCaFile}`]);
      let status = 0;
      let body: unknown;
      const errors = await errorsLoggedDuring(async () => {
        const res = await t.http().get('/v1/offers').set('X-Auth-Token', token);
        status = res.status;
        body = res.body;
      });
      expect(status).toBe(503);
      expect(body).toEqual(UNAVAILABLE);
      expect(errors).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^POST ${httpsV3}/auth/tokens failed: certificate not trusted: .* \\([A-Z_]+\\); ` +
              'check \\[keystone_authtoken\\] cafile, certfile, keyfile and insecure$',
          ),
        ),
      );
    });

    it('does not trust the private CA without cafile (the system CAs only)', async () => {
      const t = await validatingThrough(httpsV3, []);
      const errors = await errorsLoggedDuring(async () => {
        expect((await t.http().get('/v1/offers').set('X-Auth-Token', token)).status).toBe(503);
      });
      expect(errors.join('\n')).toContain('certificate not trusted');
    });

    it('skips verification with insecure = true', async () => {
      const t = await validatingThrough(httpsV3, ['insecure = true']);
      expect((await t.http().get('/v1/offers').set('X-Auth-Token', token)).status).toBe(200);
    });

    it('presents certfile/keyfile to a Keystone that requires a client certificate', async () => {
      const t = await validatingThrough(mutualV3, [
        `cafile = ${pki.caFile}`,
        `certfile = ${pki.clientCertFile}`,
        `keyfile = ${pki.clientKeyFile}`,
      ]);
      expect((await t.http().get('/v1/offers').set('X-Auth-Token', token)).status).toBe(200);
    });

    it('takes the key from certfile when keyfile is unset, as keystoneauth does', async () => {
      const t = await validatingThrough(mutualV3, [`cafile = ${pki.caFile}`, `certfile = ${pki.clientBundleFile}`]);
      expect((await t.http().get('/v1/offers').set('X-Auth-Token', token)).status).toBe(200);
    });

    it('answers 503 without a client certificate, and the log points at certfile and keyfile', async () => {
      const t = await validatingThrough(mutualV3, [`cafile = ${pki.caFile}`]);
      let status = 0;
      const errors = await errorsLoggedDuring(async () => {
        status = (await t.http().get('/v1/offers').set('X-Auth-Token', token)).status;
      });
      expect(status).toBe(503);
      expect(errors).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^POST ${mutualV3}/auth/tokens failed: (TLS handshake failed|connection closed by the server): .*` +
              'check \\[keystone_authtoken\\] (cafile, )?certfile,? (and )?keyfile',
          ),
        ),
      );
    });
  });

  describe('[keystone] (project look-ups)', () => {
    async function lookingUpThrough(keystone: string[]): Promise<TestApp> {
      const t = await createTestApp({
        authEnable: true,
        conf: keystoneConf(ks, { keystoneUrl: httpsV3, keystone: [`endpoint_override = ${httpsV3}`, ...keystone] }),
      });
      apps.push(t);
      return t;
    }

    it('resolves project names through a private CA given as cafile', async () => {
      const t = await lookingUpThrough([`cafile = ${pki.caFile}`]);
      const res = await t.http().get('/v1/offers?project_id=esi-owner').set('X-Auth-Token', token);
      expect(res.status).toBe(200);
      expect(tls.seen('GET', /^\/v3\/projects\?name=esi-owner$/)).not.toHaveLength(0);
    });

    it('answers 503 naming Keystone with a CA that did not sign the certificate, and says why in the log', async () => {
      const t = await lookingUpThrough([`cafile = ${pki.otherCaFile}`]);
      let res: { status: number; body: unknown } = { status: 0, body: null };
      const errors = await errorsLoggedDuring(async () => {
        res = await t.http().get('/v1/offers?project_id=esi-owner').set('X-Auth-Token', token);
      });
      expect(res.status).toBe(503);
      expect(res.body).toEqual(UNAVAILABLE);
      expect(errors).toContainEqual(
        expect.stringMatching(
          /certificate not trusted: .*; check \[keystone\] cafile, certfile, keyfile and insecure$/,
        ),
      );
    });
  });
});

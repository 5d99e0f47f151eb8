/**
 * How esi-leap reaches Ironic: `[ironic]` TLS options against the real Ironic behind a TLS
 * terminator with an openssl-made CA; a hung Ironic costs at most `call_timeout` and answers 503;
 * `/healthcheck` covers Ironic with a cached probe; identical concurrent look-ups are one call.
 */
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { ForwardingProxy } from '../support/forwarding-proxy';
import { headersFor } from '../support/projects';
import { SilentServer } from '../support/silent-server';
import { createTestPki, TestPki } from '../support/test-pki';
import { describeWithIronic, IRONIC_START_TIMEOUT_MS, SeededNode, seedNodes, startIronic } from './ironic-service';
import { createIronicTestApp, IronicTestApp } from './ironic-test-app';

const UNAVAILABLE = { faultcode: 'Server', faultstring: 'Ironic is unavailable.', debuginfo: null };
const CONCURRENT = 20;

describeWithIronic('reaching Ironic (real Ironic)', () => {
  const clock = new ManualClock('2031-05-01 00:00:00.000000' as UtcTime);
  /** A project of our own, so the owner filter selects exactly the nodes seeded here. */
  const fleetOwner = randomBytes(16).toString('hex');
  let ironicUrl: string;
  let fleet: SeededNode[];
  let pki: TestPki;
  let tls: ForwardingProxy;
  let httpsUrl: string;
  const apps: IronicTestApp[] = [];
  const silent: SilentServer[] = [];

  beforeAll(async () => {
    ironicUrl = await startIronic();
    fleet = await seedNodes(3, [fleetOwner]);
    pki = createTestPki();
    tls = new ForwardingProxy(ironicUrl, { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile });
    httpsUrl = await tls.start();
  }, IRONIC_START_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(apps.map((t) => t.close()));
    await Promise.all(silent.map((s) => s.stop()));
    await tls?.stop();
    pki?.remove();
  });

  async function app(url: string, ironicOptions: string[] = []): Promise<IronicTestApp> {
    const t = await createIronicTestApp(url, clock, ironicOptions.join('\n'));
    apps.push(t);
    return t;
  }

  async function hungIronic(): Promise<{ server: SilentServer; url: string }> {
    const server = new SilentServer();
    silent.push(server);
    return { server, url: await server.start() };
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

  const listFleet = (t: IronicTestApp) => t.as('admin').get(`/v1/nodes?owner=${fleetOwner}`);

  describe('TLS', () => {
    it('lists nodes through a private CA given as [ironic] cafile', async () => {
      const t = await app(httpsUrl, [`cafile = ${pki.caFile}`]);
      const res = await listFleet(t);
      expect(res.status).toBe(200);
      expect(res.body.nodes.map((n: { uuid: string }) => n.uuid).sort()).toEqual(fleet.map((n) => n.uuid).sort());
    });

    it('answers 503 with a CA that did not sign the certificate, and logs the certificate problem', async () => {
      const t = await app(httpsUrl, [`cafile = ${pki.otherCaFile}`]);
      let res: { status: number; body: unknown } = { status: 0, body: null };
      const errors = await errorsLoggedDuring(async () => {
        res = await listFleet(t);
      });
      expect(res.status).toBe(503);
      expect(res.body).toEqual(UNAVAILABLE);
      expect(errors).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^GET ${httpsUrl}/ failed: certificate not trusted: .* \\([A-Z_]+\\); ` +
              'check \\[ironic\\] cafile, certfile, keyfile and insecure$',
          ),
        ),
      );
    });

    it('skips verification with insecure = true', async () => {
      const t = await app(httpsUrl, ['insecure = true']);
      expect((await listFleet(t)).status).toBe(200);
    });
  });

  describe('an Ironic that never answers', () => {
    it('costs at most [ironic] call_timeout, then 503 naming Ironic, with the time-out in the log', async () => {
      const { url } = await hungIronic();
      const t = await app(url, ['call_timeout = 1']);
      let res: { status: number; body: unknown } = { status: 0, body: null };
      const errors = await errorsLoggedDuring(async () => {
        res = await listFleet(t);
      });
      expect(res.status).toBe(503);
      expect(res.body).toEqual(UNAVAILABLE);
      expect(errors).toContainEqual(
        expect.stringMatching(new RegExp(`^GET ${url}/ failed: timed out: no answer after \\d+ ms$`)),
      );
    });

    it('is reported failing by /healthcheck, which asks it once however often it is probed', async () => {
      const { server, url } = await hungIronic();
      const t = await app(url);
      const first = await t.http().get('/healthcheck');
      expect(first.status).toBe(503);
      expect(first.body.failing).toEqual(['ironic']);
      expect(first.body.checks.ironic).toMatchObject({
        status: 'failing',
        error: expect.stringMatching(/^timed out: no answer after \d+ ms$/),
      });
      const again = await Promise.all(Array.from({ length: 10 }, () => t.http().get('/healthcheck?check=ironic')));
      expect(again.map((r) => r.status)).toEqual(Array(10).fill(503));
      expect(server.requests).toBe(1);
    });
  });

  it('/healthcheck reports a working Ironic as ok', async () => {
    const t = await app(ironicUrl);
    const res = await t.http().get('/healthcheck');
    expect(res.status).toBe(200);
    expect(res.body.checks.ironic).toMatchObject({ status: 'ok' });
  });

  it(`${CONCURRENT} concurrent node listings are one Ironic list (counted at Ironic)`, async () => {
    const counter = new ForwardingProxy(ironicUrl);
    const t = await app(await counter.start());
    try {
      const base = await t.url();
      const responses = await Promise.all(
        Array.from({ length: CONCURRENT }, () =>
          fetch(`${base}/v1/nodes?owner=${fleetOwner}`, { headers: headersFor('admin') }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(CONCURRENT).fill(200));
      // Ironic pages its lists ([api] max_limit); a list's first page is the one without a marker.
      const firstPages = counter.seen('GET', /^\/v1\/nodes\?/).filter((r) => !r.path.includes('marker='));
      expect(firstPages).toHaveLength(1);
    } finally {
      await counter.stop();
    }
  });
});

import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { WebhookDeliverer } from '../../src/webhooks/webhook-deliverer';
import { WebhookDeliveryScheduler } from '../../src/webhooks/webhook-delivery.scheduler';
import { WebhookFanout } from '../../src/webhooks/webhook-fanout';
import { ResolvedAddress, systemResolver, WEBHOOK_RESOLVER } from '../../src/webhooks/webhook-targets';
import { P } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const at = (iso: string) => `${iso.replace('T', ' ')}.000000` as UtcTime;
const PUBLIC = { address: '93.184.216.34', family: 4 };
const LOOPBACK = { address: '127.0.0.1', family: 4 };

/**
 * The server-side request forgery guard with `[webhooks] allow_private_targets = false` (the
 * default): loopback, private, link-local and metadata targets are refused when a webhook is
 * created, however the address is written or whichever name resolves to it, and again at
 * delivery time on the address actually resolved then. Names resolve through a test resolver
 * (a hosts file is not available to tests) and, for `localhost`, through the system's.
 */
describe('webhook targets (SSRF guard)', () => {
  const receiver = new WebhookReceiver();
  const clock = new ManualClock(at('2030-01-01T00:00:00'));
  /** Per name, the answers its next look-ups give, in turn; the last one stays. */
  const dns = new Map<string, ResolvedAddress[][]>();
  let t: TestApp;
  let port = 0;

  const resolver = async (host: string): Promise<ResolvedAddress[]> => {
    const answers = dns.get(host);
    if (!answers) return systemResolver(host);
    return answers.length > 1 ? answers.shift()! : answers[0];
  };

  beforeAll(async () => {
    await receiver.start();
    port = receiver.port;
    dns.set('loopback.example.test', [[LOOPBACK]]);
    dns.set('mixed.example.test', [[PUBLIC, { address: '10.0.0.7', family: 4 }]]);
    dns.set('metadata.example.test', [[{ address: '169.254.169.254', family: 4 }]]);
    dns.set('ula.example.test', [[{ address: 'fd00::5', family: 6 }]]);
    t = await createTestApp({
      clock,
      manager: 'jobs',
      overrides: [
        { provide: WebhookDeliveryScheduler, useValue: {} },
        { provide: WEBHOOK_RESOLVER, useValue: resolver },
      ],
      conf: '[webhooks]\nenabled = true\nsecret_keys = a key of at least sixteen characters\ntimeout = 2',
    });
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  it.each([
    ['http://127.0.0.1:PORT/hook', 'address 127.0.0.1 is loopback'],
    ['http://[::1]:PORT/hook', 'address ::1 is loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'address 169.254.169.254 is a cloud metadata address'],
    ['http://10.1.2.3/hook', 'address 10.1.2.3 is private'],
    ['http://172.16.0.1/hook', 'address 172.16.0.1 is private'],
    ['http://192.168.0.1/hook', 'address 192.168.0.1 is private'],
    ['http://169.254.10.10/hook', 'address 169.254.10.10 is link-local'],
    ['http://[fe80::1]/hook', 'address fe80::1 is link-local'],
    ['http://0.0.0.0:PORT/hook', 'address 0.0.0.0 is reserved'],
    // Other spellings of loopback, which URL parsing turns into the address.
    ['http://2130706433:PORT/hook', 'address 127.0.0.1 is loopback'],
    ['http://0x7f.1:PORT/hook', 'address 127.0.0.1 is loopback'],
    ['http://[::ffff:127.0.0.1]:PORT/hook', 'address ::ffff:7f00:1 is loopback'],
    // Names resolving to such addresses.
    ['http://localhost:PORT/hook', /^localhost resolves to address (127\.0\.0\.1|::1) is loopback$/],
    ['http://loopback.example.test:PORT/hook', 'loopback.example.test resolves to address 127.0.0.1 is loopback'],
    ['http://mixed.example.test/hook', 'mixed.example.test resolves to address 10.0.0.7 is private'],
    [
      'http://metadata.example.test/hook',
      'metadata.example.test resolves to address 169.254.169.254 is a cloud metadata address',
    ],
    ['http://ula.example.test/hook', 'ula.example.test resolves to address fd00::5 is private'],
  ])('refuses %s when it is registered', async (template, reason) => {
    const url = template.replace('PORT', String(port));
    const res = await t
      .as('lessee')
      .post('/v1/webhooks')
      .send({ url, event_types: ['*'] });
    expect(res.status).toBe(400);
    const prefix = `Invalid webhook url ${url}: `;
    expect(res.body.faultstring.startsWith(prefix)).toBe(true);
    const said = res.body.faultstring.slice(prefix.length, -1);
    if (typeof reason === 'string') expect(said).toBe(reason);
    else expect(said).toMatch(reason);
  });

  it('refuses, at delivery time, a name that resolved to a public address when registered and to loopback now', async () => {
    dns.set('rebind.example.test', [[PUBLIC], [LOOPBACK]]);
    const res = await t
      .as('lessee')
      .post('/v1/webhooks')
      .send({ url: `http://rebind.example.test:${port}/hook`, event_types: ['*'] });
    expect(res.status).toBe(201);
    t.nodes.add('ssrf-1', { owner: P.owner });
    await t
      .as('owner')
      .post('/v1/leases')
      .send({ resource_uuid: 'ssrf-1', project_id: P.lessee, start_time: '2030-01-01T00:00:00' })
      .expect(201);
    await t.app.get(ManagerJobs).fulfillDueLeases();
    await t.app.get(WebhookFanout, { strict: false }).pass();
    await t.app.get(WebhookDeliverer, { strict: false }).deliverDue();

    const deliveries = (await t.as('lessee').get(`/v1/webhooks/${res.body.uuid}/deliveries`)).body.deliveries;
    expect(deliveries).toHaveLength(2);
    for (const d of deliveries) {
      expect(d).toMatchObject({
        status: 'pending',
        attempts: 1,
        last_status_code: null,
        last_error: 'refused: rebind.example.test resolves to address 127.0.0.1 is loopback',
      });
    }
    expect(receiver.received).toEqual([]);
  });
});

/**
 * Redirects are never followed, so a public endpoint cannot send a delivery on to loopback or
 * a metadata address. The first hop must be reachable for the redirect to be seen, so this
 * runs with private targets allowed (the receiver is on loopback); the redirect to loopback
 * is refused all the same.
 */
describe('webhook redirects (SSRF guard)', () => {
  const receiver = new WebhookReceiver();
  let t: TestApp;
  let base = '';

  beforeAll(async () => {
    base = await receiver.start();
    t = await createTestApp({
      manager: 'jobs',
      overrides: [{ provide: WebhookDeliveryScheduler, useValue: {} }],
      conf: '[webhooks]\nenabled = true\nsecret_keys = a key of at least sixteen characters\nallow_private_targets = true',
    });
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  it('does not follow a redirect to loopback or to the metadata address', async () => {
    receiver.on('/to-loopback', () => ({ status: 307, headers: { Location: `${base}/trap` } }));
    receiver.on('/to-metadata', () => ({
      status: 301,
      headers: { Location: 'http://169.254.169.254/latest/meta-data/' },
    }));
    const hooks = [];
    for (const path of ['/to-loopback', '/to-metadata']) {
      const res = await t
        .as('lessee')
        .post('/v1/webhooks')
        .send({ url: `${base}${path}`, event_types: ['*'] });
      expect(res.status).toBe(201);
      hooks.push(res.body.uuid as string);
    }
    t.nodes.add('ssrf-2', { owner: P.owner });
    await t.as('owner').post('/v1/leases').send({ resource_uuid: 'ssrf-2', project_id: P.lessee }).expect(201);
    await t.app.get(ManagerJobs).fulfillDueLeases();
    await t.app.get(WebhookFanout, { strict: false }).pass();
    await t.app.get(WebhookDeliverer, { strict: false }).deliverDue();

    const [toLoopback, toMetadata] = await Promise.all(
      hooks.map(async (hook) => (await t.as('lessee').get(`/v1/webhooks/${hook}/deliveries`)).body.deliveries),
    );
    expect(toLoopback.map((d: Record<string, unknown>) => [d.status, d.last_status_code, d.last_error])).toEqual([
      ['pending', 307, `redirect to ${base}/trap not followed`],
      ['pending', 307, `redirect to ${base}/trap not followed`],
    ]);
    expect(toMetadata.map((d: Record<string, unknown>) => d.last_error)).toEqual([
      'redirect to http://169.254.169.254/latest/meta-data/ not followed',
      'redirect to http://169.254.169.254/latest/meta-data/ not followed',
    ]);
    expect(receiver.at('/trap')).toEqual([]);
    expect(receiver.received.map((r) => r.path).sort()).toEqual([
      '/to-loopback',
      '/to-loopback',
      '/to-metadata',
      '/to-metadata',
    ]);
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '../../src/common/clock';
import { fromDate, toEpochSeconds, UtcTime } from '../../src/common/time';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { WebhookDeliverer } from '../../src/webhooks/webhook-deliverer';
import { WebhookDeliveryScheduler } from '../../src/webhooks/webhook-delivery.scheduler';
import { WebhookFanout } from '../../src/webhooks/webhook-fanout';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P, Persona } from '../support/projects';
import { freePort } from '../support/child-http';
import { createTestApp, TestApp } from '../support/test-app';
import { verifySignature, WebhookReceiver } from './support/webhook-receiver';

const at = (iso: string) => `${iso.replace('T', ' ')}.000000` as UtcTime;

interface EventRow {
  id: number;
  event_type: string;
  object_uuid: string;
}

/**
 * Deliveries to a real HTTP receiver on loopback (`allow_private_targets`): the signed event
 * JSON with the event id as idempotency key, each event once per webhook that wants it,
 * retried with exponential back-off (same body, same key) until `retry_for`, then failed;
 * time-outs, redirects (never followed) and answers' excerpts recorded.
 */
describe.each(testDatabaseKinds())('webhook deliveries on %s', (kind) => {
  const receiver = new WebhookReceiver();
  const clock = new ManualClock(at('2030-01-01T00:00:00'));
  let base = '';
  let t: TestApp;

  beforeAll(async () => {
    base = await receiver.start();
    t = await createTestApp({
      kind,
      clock,
      manager: 'jobs',
      overrides: [{ provide: WebhookDeliveryScheduler, useValue: {} }],
      conf: [
        '[webhooks]',
        'enabled = true',
        'secret_keys = a key of at least sixteen characters',
        'allow_private_targets = true',
        'timeout = 1',
        'retry_backoff_base = 10',
        'retry_backoff_max = 25',
        'retry_for = 60',
        '[reminders]',
        'end_lead_times = 1h',
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  /** One pass of the webhook loop, as the manager makes it. */
  async function webhookPass(): Promise<void> {
    await t.app.get(WebhookFanout, { strict: false }).pass();
    await t.app.get(WebhookDeliverer, { strict: false }).deliverDue();
  }

  async function register(
    persona: Persona,
    path: string,
    eventTypes: string[],
  ): Promise<{ uuid: string; secret: string }> {
    const res = await t
      .as(persona)
      .post('/v1/webhooks')
      .send({ url: `${base}${path}`, event_types: eventTypes });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function leaseStarting(node: string, start: string, end: string): Promise<string> {
    t.nodes.add(node, { owner: P.owner });
    const res = await t
      .as('owner')
      .post('/v1/leases')
      .send({ resource_uuid: node, project_id: P.lessee, start_time: start, end_time: end });
    expect(res.status).toBe(201);
    return res.body.uuid;
  }

  async function eventsOf(leaseUuid: string): Promise<EventRow[]> {
    const rows = (await t.dataSource.query(
      'SELECT id, event_type, object_uuid FROM events WHERE object_uuid = ? ORDER BY id',
      [leaseUuid],
    )) as EventRow[];
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  async function deliveries(hook: string): Promise<Array<Record<string, any>>> {
    const res = await t.as('admin').get(`/v1/webhooks/${hook}/deliveries`);
    expect(res.status).toBe(200);
    return res.body.deliveries;
  }

  it('delivers each wanted event once, signed, with the event id as idempotency key', async () => {
    const lessee = await register('lessee', '/lessee', ['esi_leap.lease.fulfill.*']);
    const owner = await register('owner', '/owner', ['*']);
    const unrelated = await register('otherLessee', '/unrelated', ['*']);
    const lease = await leaseStarting('wh-1', '2030-01-01T00:00:00', '2030-01-01T06:00:00');
    await t.app.get(ManagerJobs).fulfillDueLeases();
    await webhookPass();
    await webhookPass();

    const events = await eventsOf(lease);
    expect(events.map((e) => e.event_type)).toEqual(['esi_leap.lease.fulfill.start', 'esi_leap.lease.fulfill.end']);
    for (const path of ['/lessee', '/owner']) {
      // Deliveries run in parallel: in event id order for the comparison.
      const got = receiver
        .at(path)
        .sort((x, y) => Number(x.headers['idempotency-key']) - Number(y.headers['idempotency-key']));
      expect(got.map((r) => r.headers['idempotency-key'])).toEqual(events.map((e) => String(e.id)));
      for (const [i, r] of got.entries()) {
        expect(JSON.parse(r.body)).toEqual({
          id: events[i].id,
          event_type: events[i].event_type,
          event_time: '2030-01-01T00:00:00',
          object_type: 'lease',
          object_uuid: lease,
          resource_type: 'test_node',
          resource_uuid: 'wh-1',
          lessee_id: P.lessee,
          owner_id: P.owner,
        });
        expect(r.headers).toMatchObject({
          'content-type': 'application/json',
          'x-esi-leap-event': events[i].event_type,
          'x-esi-leap-delivery-attempt': '1',
        });
      }
    }
    const secretOf = { '/lessee': lessee.secret, '/owner': owner.secret };
    for (const [path, secret] of Object.entries(secretOf)) {
      for (const r of receiver.at(path)) {
        const header = String(r.headers['x-esi-leap-signature']);
        expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
        expect(verifySignature(secret, r.body, header, toEpochSeconds(clock.now()))).toBe(true);
        expect(verifySignature(secret, `${r.body} `, header, toEpochSeconds(clock.now()))).toBe(false);
        expect(verifySignature('another secret!!', r.body, header, toEpochSeconds(clock.now()))).toBe(false);
      }
    }
    expect(receiver.at('/unrelated')).toEqual([]);
    expect(await deliveries(lessee.uuid)).toEqual(
      [...events].reverse().map((e) => ({
        event_id: e.id,
        event_type: e.event_type,
        status: 'delivered',
        attempts: 1,
        created_at: '2030-01-01T00:00:00',
        last_attempt_at: '2030-01-01T00:00:00',
        next_attempt_at: null,
        last_status_code: 200,
        last_error: null,
        response_excerpt: 'ok',
        finished_at: '2030-01-01T00:00:00',
      })),
    );
    expect(await deliveries(unrelated.uuid)).toEqual([]);
    for (const hook of [lessee, owner, unrelated]) await t.as('admin').delete(`/v1/webhooks/${hook.uuid}`).expect(200);
  });

  it('a webhook gets only the events after its creation', async () => {
    clock.set(at('2030-01-02T00:00:00'));
    const lease = await leaseStarting('wh-2', '2030-01-02T00:00:00', '2030-01-02T06:00:00');
    await t.app.get(ManagerJobs).fulfillDueLeases();
    clock.set(at('2030-01-02T00:00:01'));
    const late = await register('lessee', '/late', ['*']);
    await webhookPass();
    expect(receiver.at('/late')).toEqual([]);
    clock.set(at('2030-01-02T06:00:00'));
    await t.app.get(ManagerJobs).expireEndedLeases();
    await webhookPass();
    // The expiries of this lease and of the first test's, written after the webhook was created.
    const started = (await eventsOf(lease)).filter((e) => e.event_type.startsWith('esi_leap.lease.fulfill'));
    const after = (await t.dataSource.query('SELECT id FROM events WHERE id > ? ORDER BY id', [
      started[1].id,
    ])) as Array<{ id: number }>;
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(
      receiver
        .at('/late')
        .map((r) => Number(r.headers['idempotency-key']))
        .sort((x, y) => x - y),
    ).toEqual(after.map((e) => Number(e.id)));
    await t.as('admin').delete(`/v1/webhooks/${late.uuid}`).expect(200);
  });

  it('retries a failing receiver with exponential back-off, the same body and key, and keeps an excerpt of its answer', async () => {
    clock.set(at('2030-01-03T00:00:00'));
    receiver.on('/flaky', (_r, count) =>
      count <= 2 ? { status: 503, body: `unavailable ${'x'.repeat(1000)}` } : { status: 204 },
    );
    const hook = await register('lessee', '/flaky', ['esi_leap.lease.fulfill.end']);
    await leaseStarting('wh-3', '2030-01-03T00:00:00', '2030-01-03T06:00:00');
    await t.app.get(ManagerJobs).fulfillDueLeases();
    await webhookPass();
    let [delivery] = await deliveries(hook.uuid);
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_status_code: 503,
      last_error: 'answered HTTP 503',
      next_attempt_at: '2030-01-03T00:00:10',
      finished_at: null,
    });
    expect(delivery.response_excerpt).toBe(`unavailable ${'x'.repeat(243)}`);

    clock.set(at('2030-01-03T00:00:09'));
    await webhookPass();
    expect(receiver.at('/flaky')).toHaveLength(1);
    clock.set(at('2030-01-03T00:00:10'));
    await webhookPass();
    [delivery] = await deliveries(hook.uuid);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 2, next_attempt_at: '2030-01-03T00:00:30' });
    clock.set(at('2030-01-03T00:00:30'));
    await webhookPass();
    [delivery] = await deliveries(hook.uuid);
    expect(delivery).toMatchObject({
      status: 'delivered',
      attempts: 3,
      last_status_code: 204,
      last_error: null,
      response_excerpt: null,
    });

    const got = receiver.at('/flaky');
    expect(got.map((r) => r.headers['x-esi-leap-delivery-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(got.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    await t.as('admin').delete(`/v1/webhooks/${hook.uuid}`).expect(200);
  });

  it('marks a delivery failed once its retries would pass [webhooks] retry_for', async () => {
    clock.set(at('2030-01-04T00:00:00'));
    receiver.on('/down', () => ({ status: 500, body: 'broken' }));
    const hook = await register('lessee', '/down', ['esi_leap.lease.fulfill.end']);
    await leaseStarting('wh-4', '2030-01-04T00:00:00', '2030-01-04T06:00:00');
    await t.app.get(ManagerJobs).fulfillDueLeases();
    // Attempts at 0, 10, 30 (back-off 10, 20, then at most 25): the next, at 55, is within 60 s; the one after is not.
    for (const second of [0, 10, 30, 55]) {
      clock.set(at(`2030-01-04T00:00:${String(second).padStart(2, '0')}`));
      await webhookPass();
    }
    const [delivery] = await deliveries(hook.uuid);
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 4,
      last_status_code: 500,
      last_error: 'answered HTTP 500',
      response_excerpt: 'broken',
      next_attempt_at: null,
      finished_at: '2030-01-04T00:00:55',
    });
    clock.set(at('2030-01-04T01:00:00'));
    await webhookPass();
    expect(receiver.at('/down')).toHaveLength(4);
    await t.as('admin').delete(`/v1/webhooks/${hook.uuid}`).expect(200);
  });

  it('gives up on an attempt after [webhooks] timeout, and never follows a redirect', async () => {
    clock.set(at('2030-01-05T00:00:00'));
    receiver.on('/slow', () => 'hang');
    receiver.on('/redirect', () => ({ status: 302, headers: { Location: `${base}/trap` } }));
    const slow = await register('lessee', '/slow', ['esi_leap.lease.fulfill.end']);
    const redirect = await register('lessee', '/redirect', ['esi_leap.lease.fulfill.end']);
    await leaseStarting('wh-5', '2030-01-05T00:00:00', '2030-01-05T06:00:00');
    await t.app.get(ManagerJobs).fulfillDueLeases();
    await webhookPass();
    expect((await deliveries(slow.uuid))[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_status_code: null,
      last_error: 'no answer within 1 s',
    });
    expect((await deliveries(redirect.uuid))[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_status_code: 302,
      last_error: `redirect to ${base}/trap not followed`,
    });
    expect(receiver.at('/trap')).toEqual([]);
    for (const hook of [slow, redirect]) await t.as('admin').delete(`/v1/webhooks/${hook.uuid}`).expect(200);
  });

  it('a reminder event carries its lead time and the end it is about', async () => {
    clock.set(at('2030-01-06T00:00:00'));
    await register('lessee', '/reminders', ['esi_leap.lease.end_soon']);
    const lease = await leaseStarting('wh-6', '2030-01-06T00:00:00', '2030-01-06T00:30:00');
    await t.app.get(ManagerJobs).runAll();
    await webhookPass();
    const [reminder] = (await eventsOf(lease)).filter((e) => e.event_type === 'esi_leap.lease.end_soon');
    expect(receiver.at('/reminders').map((r) => JSON.parse(r.body))).toEqual([
      expect.objectContaining({
        id: reminder.id,
        event_type: 'esi_leap.lease.end_soon',
        object_uuid: lease,
        reminder: { lead_time: '1h', lead_seconds: 3600, end_time: '2030-01-06T00:30:00' },
      }),
    ]);
  });

  it('the receiver example of the docs accepts the deliveries, and refuses a forged or stale one', async () => {
    const docs = readFileSync(path.join(__dirname, '..', '..', 'docs', 'lease-lifecycle.md'), 'utf8');
    const example = /### Verifying a delivery[\s\S]*?```js\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(example?.split('\n').filter(Boolean)).toHaveLength(10);
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-receiver-'));
    writeFileSync(path.join(dir, 'receiver.js'), example!.replace('.listen(8080)', `.listen(${port}, '127.0.0.1')`));
    // Signatures carry the clock's time, which the example checks against its own.
    clock.set(fromDate(new Date()));
    const hook = await register('lessee', '/unused', ['esi_leap.lease.fulfill.end']);
    const child = spawn(process.execPath, [path.join(dir, 'receiver.js')], {
      env: { ...process.env, SECRET: hook.secret },
    });
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    try {
      const url = `http://127.0.0.1:${port}/`;
      for (let i = 0; i < 100; i++) {
        if (
          await fetch(url, { method: 'POST' }).then(
            () => true,
            () => false,
          )
        )
          break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await t.as('admin').delete(`/v1/webhooks/${hook.uuid}`).expect(200);
      const res = await t
        .as('lessee')
        .post('/v1/webhooks')
        .send({ url, event_types: ['esi_leap.lease.fulfill.end'], secret: hook.secret });
      expect(res.status).toBe(201);
      const lease = await leaseStarting(
        'wh-7',
        new Date().toISOString().slice(0, 19),
        new Date(Date.now() + 86_400_000).toISOString().slice(0, 19),
      );
      // Now, again: the lease starts at the time it was made, after the receiver's start-up.
      clock.set(fromDate(new Date()));
      await t.app.get(ManagerJobs).fulfillDueLeases();
      await webhookPass();
      const [started] = (await eventsOf(lease)).filter((e) => e.event_type === 'esi_leap.lease.fulfill.end');
      expect((await deliveries(res.body.uuid))[0]).toMatchObject({
        event_id: started.id,
        status: 'delivered',
        last_status_code: 204,
      });
      expect(printed).toBe(`${started.id} esi_leap.lease.fulfill.end\n`);

      const body = '{"id":1}';
      const now = Math.floor(Date.now() / 1000);
      const post = (signature: string) =>
        fetch(url, { method: 'POST', body, headers: { 'X-ESI-Leap-Signature': signature } }).then((r) => r.status);
      const { signatureHeader } = await import('../../src/webhooks/webhook-signature');
      expect(await post(signatureHeader('not the secret at all', body, now))).toBe(401);
      expect(await post(signatureHeader(hook.secret, body, now - 3600))).toBe(401);
      expect(await post('garbage')).toBe(401);
      expect(await post(signatureHeader(hook.secret, body, now))).toBe(204);
      await t.as('admin').delete(`/v1/webhooks/${res.body.uuid}`).expect(200);
    } finally {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** With webhooks off, the manager keeps their cursor at the newest event: turning them on later replays nothing. */
describe('webhook cursor with [webhooks] enabled = false', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ manager: 'jobs' });
  });
  afterAll(() => t?.close());

  it('follows the newest event', async () => {
    t.nodes.add('wh-off', { owner: P.owner });
    await t.as('owner').post('/v1/leases').send({ resource_uuid: 'wh-off', project_id: P.lessee }).expect(201);
    await t.app.get(ManagerJobs).fulfillDueLeases();
    await t.app.get(WebhookDeliveryScheduler).runOnce();
    const [{ newest }] = (await t.dataSource.query('SELECT MAX(id) AS newest FROM events')) as Array<{
      newest: number;
    }>;
    expect(Number(newest)).toBeGreaterThan(0);
    expect(await t.dataSource.query("SELECT last_event_id FROM notification_cursors WHERE name = 'webhooks'")).toEqual([
      { last_event_id: newest },
    ]);
  });
});

import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { NotificationRelay } from '../../src/notifications/notification-relay';
import { LeaseMailJob } from '../../src/notifications/email/lease-mail.job';
import { ReminderMailScheduler } from '../../src/notifications/email/reminder-mail.scheduler';
import { LeaseReminders } from '../../src/notifications/reminders/lease-reminders';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P } from '../support/projects';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import {
  createNotifyingApp,
  deleteBrokerObjects,
  ensureBrokerAndOslo,
  NotifyingApp,
  OsloListener,
  RABBIT,
  uniqueName,
} from './notification-harness';

const at = (iso: string) => `${iso.replace('T', ' ')}.000000` as UtcTime;

interface ReminderRow {
  lease_uuid: string;
  kind: string;
  lead_seconds: number;
  due_for: string;
  event_id: number | null;
  event_type: string | null;
}

/**
 * `[reminders]` end_lead_times = 48h,1h and start_lead_times = 24h, run by the manager jobs on a
 * manual clock: each reminder is one event (and one e-mail) per lease, lead time and end/start
 * time, written when its moment comes and not again, and again for a new end after an extension.
 */
describe.each(testDatabaseKinds())('lease reminders on %s', (kind) => {
  const sink = new SmtpSink();
  const clock = new ManualClock(at('2030-01-01T00:00:00'));
  let port = 0;
  let t: TestApp;
  let jobs: ManagerJobs;
  let mails: LeaseMailJob;

  beforeAll(async () => {
    port = await sink.start();
    t = await createTestApp({
      kind,
      clock,
      manager: 'jobs',
      // The test sends the reminder mails itself.
      overrides: [{ provide: ReminderMailScheduler, useValue: {} }],
      conf: [
        '[reminders]',
        'end_lead_times = 48h,1h',
        'start_lead_times = 1d',
        '[email]',
        'enabled = true',
        'smtp_host = 127.0.0.1',
        `smtp_port = ${port}`,
        'sender = esi@example.com',
        `project_contacts = ${P.lessee}:lessee@example.com`,
      ].join('\n'),
    });
    jobs = t.app.get(ManagerJobs);
    mails = t.app.get(LeaseMailJob);
  });
  afterAll(async () => {
    await t?.close();
    await sink.stop();
  });

  async function reminders(): Promise<ReminderRow[]> {
    const rows = (await t.dataSource.query(
      'SELECT r.lease_uuid, r.kind, r.lead_seconds, r.due_for, r.event_id, e.event_type FROM lease_reminders r ' +
        'LEFT JOIN events e ON e.id = r.event_id ORDER BY r.id',
    )) as ReminderRow[];
    return rows.map((r) => ({
      ...r,
      lead_seconds: Number(r.lead_seconds),
      due_for: String(r.due_for).slice(0, 19).replace('T', ' '),
    }));
  }

  async function reminderEvents(): Promise<Array<{ id: number; event_type: string; object_uuid: string }>> {
    return t.dataSource.query(
      "SELECT id, event_type, object_uuid FROM events WHERE event_type IN ('esi_leap.lease.end_soon', 'esi_leap.lease.start_soon') ORDER BY id",
    );
  }

  async function lease(node: string, start: string, end: string): Promise<string> {
    t.nodes.add(node, { owner: P.owner, name: node });
    const res = await t
      .as('owner')
      .post('/v1/leases')
      .send({ resource_uuid: node, project_id: P.lessee, start_time: start, end_time: end });
    expect(res.status).toBe(201);
    return res.body.uuid as string;
  }

  it('writes each reminder once when its moment comes, and again for a new end after an extension', async () => {
    const a = await lease('rem-a', '2030-01-01T00:00:00', '2030-01-06T00:00:00');
    const b = await lease('rem-b', '2030-01-04T00:00:00', '2030-01-05T00:00:00');
    await jobs.runAll();
    expect(await reminders()).toEqual([]);

    // The manager's timer: the first reminder moment is b's, a day before its start.
    expect(await jobs.nextDueTime(clock.now())).toBe(at('2030-01-03T00:00:00'));
    clock.set(at('2030-01-03T00:00:00'));
    await jobs.runAll();
    await jobs.runAll();
    expect(await reminders()).toEqual([
      {
        lease_uuid: b,
        kind: 'start',
        lead_seconds: 86400,
        due_for: '2030-01-04 00:00:00',
        event_id: expect.any(Number),
        event_type: 'esi_leap.lease.start_soon',
      },
    ]);

    // 2030-01-04: b starts, and its end is already within 48 h; a's end is 48 h away.
    expect(await jobs.nextDueTime(clock.now())).toBe(at('2030-01-04T00:00:00'));
    clock.set(at('2030-01-04T00:00:00'));
    await jobs.runAll();
    await jobs.runAll();
    expect((await reminders()).slice(1)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          lease_uuid: a,
          kind: 'end',
          lead_seconds: 172800,
          due_for: '2030-01-06 00:00:00',
          event_type: 'esi_leap.lease.end_soon',
        }),
        expect.objectContaining({
          lease_uuid: b,
          kind: 'end',
          lead_seconds: 172800,
          due_for: '2030-01-05 00:00:00',
          event_type: 'esi_leap.lease.end_soon',
        }),
      ]),
    );
    expect(await reminders()).toHaveLength(3);

    // a is extended by a day: its 48 h reminder is due again, for the new end.
    const patched = await t.as('admin').patch(`/v1/leases/${a}`).send({ end_time: '2030-01-07T00:00:00' });
    expect(patched.status).toBe(200);
    await jobs.runAll();
    expect(await reminders()).toHaveLength(3);
    clock.set(at('2030-01-04T23:00:00'));
    await jobs.runAll();
    expect((await reminders()).slice(3)).toEqual([
      expect.objectContaining({ lease_uuid: b, kind: 'end', lead_seconds: 3600, due_for: '2030-01-05 00:00:00' }),
    ]);
    expect(await jobs.nextDueTime(clock.now())).toBe(at('2030-01-05T00:00:00'));
    clock.set(at('2030-01-05T00:00:00'));
    await jobs.runAll();
    clock.set(at('2030-01-06T23:30:00'));
    await jobs.runAll();
    await jobs.runAll();
    const all = await reminders();
    expect(all.slice(4).map((r) => [r.lease_uuid, r.kind, r.lead_seconds, r.due_for])).toEqual([
      [a, 'end', 172800, '2030-01-07 00:00:00'],
      [a, 'end', 3600, '2030-01-07 00:00:00'],
    ]);
    // One event per reminder row, of the reminder's kind, about its lease.
    const events = await reminderEvents();
    expect(events).toHaveLength(all.length);
    const byId = new Map(events.map((e) => [Number(e.id), e]));
    for (const r of all) {
      expect(byId.get(Number(r.event_id))).toEqual({
        id: r.event_id,
        event_type: r.kind === 'end' ? 'esi_leap.lease.end_soon' : 'esi_leap.lease.start_soon',
        object_uuid: r.lease_uuid,
      });
    }
  });

  it('mails each reminder once to the lessee, skipping reminders for an end that has moved', async () => {
    // The first test's reminders are not mailed any more: the lease times they were for have passed.
    clock.set(at('2030-02-01T00:00:00'));
    expect(await mails.mailReminders()).toEqual({ sent: 0, skipped: 0, failed: 0 });

    const c = await lease('rem-c', '2030-02-01T00:00:00', '2030-02-02T12:00:00');
    const d = await lease('rem-d', '2030-02-01T00:00:00', '2030-02-02T12:00:00');
    await jobs.runAll();
    clock.set(at('2030-02-01T00:00:01'));
    await jobs.runAll();
    expect((await reminders()).filter((r) => [c, d].includes(r.lease_uuid))).toHaveLength(2);
    // d is extended before its reminder was mailed: that mail is no longer worth sending.
    expect((await t.as('admin').patch(`/v1/leases/${d}`).send({ end_time: '2030-02-05T00:00:00' })).status).toBe(200);

    const before = sink.mails.length;
    expect(await mails.mailReminders()).toEqual({ sent: 1, skipped: 1, failed: 0 });
    expect(await mails.mailReminders()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    const sent = sink.mails.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ from: 'esi@example.com', to: ['lessee@example.com'] });
    expect(sent[0].text).toContain(`Your lease ${c} on node rem-c will end on 2030-02-02T12:00:00.`);
    expect(sent[0].text).toContain('This is the reminder 2d before its end.');
    expect(sent[0].data).toMatch(/^Message-ID:\s+<reminder\.end\.172800\.\d+\.[0-9a-f-]+@esi-leap>$/im);
    const states = (await t.dataSource.query(
      'SELECT lease_uuid, mail_attempts, mail_error, mailed_at FROM lease_reminders WHERE lease_uuid IN (?, ?) ORDER BY lease_uuid',
      [c, d].sort(),
    )) as Array<{ lease_uuid: string; mail_attempts: number; mail_error: string | null; mailed_at: unknown }>;
    expect(states.map((s) => [s.lease_uuid, Number(s.mail_attempts), s.mail_error, s.mailed_at !== null])).toEqual(
      [
        [c, 1, null, true],
        [d, 1, 'lease end_time changed', true],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
  });

  it('a failed reminder mail is tried again after its back-off', async () => {
    clock.set(at('2030-03-01T00:00:00'));
    const e = await lease('rem-e', '2030-03-01T00:00:00', '2030-03-02T00:00:00');
    await jobs.runAll();
    await sink.stop();
    expect(await mails.mailReminders()).toMatchObject({ sent: 0, failed: 1 });
    // Not before its back-off has passed.
    expect(await mails.mailReminders()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    await sink.start(port);
    clock.set(at('2030-03-01T00:01:00'));
    const before = sink.mails.length;
    expect(await mails.mailReminders()).toEqual({ sent: 1, skipped: 0, failed: 0 });
    expect(sink.mails.slice(before).map((m) => m.text.includes(e))).toEqual([true]);
  });

  it('two managers writing the same reminders at once write each one once', async () => {
    const other = await createTestApp({
      kind,
      clock,
      manager: 'jobs',
      connection: t.connection,
      nodes: t.nodes,
      conf: '[reminders]\nend_lead_times = 48h,1h',
    });
    try {
      clock.set(at('2030-04-01T00:00:00'));
      const uuids: string[] = [];
      for (let i = 0; i < 20; i++)
        uuids.push(await lease(`rem-race-${i}`, '2030-04-01T00:00:00', '2030-04-01T00:30:00'));
      await jobs.fulfillDueLeases();
      const written = await Promise.all([
        t.app.get(LeaseReminders).writeDue(),
        other.app.get(LeaseReminders).writeDue(),
        t.app.get(LeaseReminders).writeDue(),
        other.app.get(LeaseReminders).writeDue(),
      ]);
      // Every lease has 30 minutes left: both lead times are due.
      expect(written.reduce((x, y) => x + y, 0)).toBe(40);
      const rows = (await reminders()).filter((r) => uuids.includes(r.lease_uuid));
      expect(rows).toHaveLength(40);
      const events = (await reminderEvents()).filter((e) => uuids.includes(e.object_uuid));
      expect(events).toHaveLength(40);
    } finally {
      await other.close();
    }
  });
});

/**
 * With the real scheduler (sweep every 60 s here), a reminder is written at its moment, not at
 * the next sweep: the manager's timer is armed for the next reminder moment.
 */
describe('reminders with the embedded scheduler', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      manager: 'scheduled',
      conf: '[manager]\nsweep_interval = 60\n[reminders]\nend_lead_times = 2s',
    });
  });
  afterAll(() => t?.close());

  it('writes the reminder of a lease ending in 4 s before it ends, and not before its moment', async () => {
    t.nodes.add('rem-prompt', { owner: P.owner });
    const end = Date.now() + 4000;
    const res = await t
      .as('owner')
      .post('/v1/leases')
      .send({ resource_uuid: 'rem-prompt', project_id: P.lessee, end_time: new Date(end).toISOString().slice(0, 23) });
    expect(res.status).toBe(201);
    let rows: Array<{ event_time: string; remind_at: string }> = [];
    for (const until = Date.now() + 10_000; rows.length === 0 && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      rows = await t.dataSource.query(
        'SELECT e.event_time, r.remind_at FROM lease_reminders r JOIN events e ON e.id = r.event_id WHERE r.lease_uuid = ?',
        [res.body.uuid],
      );
    }
    expect(rows).toHaveLength(1);
    const written = Date.parse(`${rows[0].event_time.replace(' ', 'T').slice(0, 23)}Z`);
    expect(rows[0].remind_at.slice(0, 23)).toBe(new Date(end - 2000).toISOString().replace('T', ' ').slice(0, 23));
    expect(written).toBeGreaterThanOrEqual(end - 2000);
    expect(written).toBeLessThan(end);
  });
});

/** A reminder event is an outbox event like any other: the relay publishes it on the bus. */
describe('reminder notifications received by a real oslo listener', () => {
  let t: NotifyingApp;
  let listener: OsloListener;
  const exchange = uniqueName('esi_leap_test');
  const topic = uniqueName('esi_leap_versioned_notifications');

  beforeAll(async () => {
    await ensureBrokerAndOslo();
    listener = new OsloListener(exchange, topic);
    await listener.started();
    t = await createNotifyingApp({
      kind: 'sqlite',
      now: at('2030-01-01T00:00:00'),
      conf: [
        `[DEFAULT]\ntransport_url = ${RABBIT}\ncontrol_exchange = ${exchange}`,
        `[notification]\nversioned_notifications_topics = ${topic}`,
        '[oslo_messaging_notifications]\ndriver = messagingv2',
        '[reminders]\nend_lead_times = 1h\nstart_lead_times = 1h',
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await t?.close();
    await listener?.stop();
    await deleteBrokerObjects(exchange, topic).catch(() => undefined);
  });

  it('publishes esi_leap.lease.start_soon and end_soon with the lease payload', async () => {
    t.nodes.add('rem-bus', { owner: P.owner });
    const res = await t.as('owner').post('/v1/leases').send({
      resource_uuid: 'rem-bus',
      project_id: P.lessee,
      start_time: '2030-01-01T00:30:00',
      end_time: '2030-01-01T01:00:00',
    });
    const jobs = t.app.get(ManagerJobs);
    await jobs.runAll();
    t.clock.set(at('2030-01-01T00:30:00'));
    await jobs.runAll();
    expect(await t.app.get(NotificationRelay).relayPending()).toBe(4);
    const received = await listener.waitFor(4);
    expect(received.map((n) => n.event_type)).toEqual([
      'esi_leap.lease.start_soon',
      'esi_leap.lease.fulfill.start',
      'esi_leap.lease.fulfill.end',
      'esi_leap.lease.end_soon',
    ]);
    const endSoon = received.find((n) => n.event_type === 'esi_leap.lease.end_soon');
    const startSoon = received.find((n) => n.event_type === 'esi_leap.lease.start_soon');
    expect(startSoon).toMatchObject({
      priority: 'info',
      payload: { 'esi_leap_object.data': { uuid: res.body.uuid, status: 'created' } },
    });
    expect(endSoon).toMatchObject({
      priority: 'info',
      payload: { 'esi_leap_object.data': { uuid: res.body.uuid, status: 'active' } },
    });
  });
});

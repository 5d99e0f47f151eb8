import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { LeaseMailJob } from '../../src/notifications/email/lease-mail.job';
import { testDatabaseKinds } from '../helpers/test-databases';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';

const at = (iso: string) => `${iso.replace('T', ' ')}.000000` as UtcTime;

/** Upstream's e-mail script as a job: lease-started and lease-expiring mails, each sent once, over SMTP. */
describe.each(testDatabaseKinds())('e-mail to lessees on %s', (kind) => {
  const sink = new SmtpSink();
  let port = 0;
  const clock = new ManualClock(at('2030-01-01T00:00:00'));
  let t: TestApp;

  beforeAll(async () => {
    port = await sink.start();
    t = await createTestApp({
      kind,
      clock,
      manager: 'jobs',
      conf: [
        '[email]',
        'smtp_host = 127.0.0.1',
        `smtp_port = ${port}`,
        'sender = esi@example.com',
        'warning_days = 1',
        `project_contacts = ${P.lessee}:lessee@example.com`,
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('mails a started lease once, warns once before its end, and skips projects without a contact', async () => {
    t.nodes.add('mail-1', { owner: P.owner, name: 'node-one' });
    t.nodes.add('mail-2', { owner: P.owner });
    const lease = (await t.as('owner').post('/v1/leases').send({ resource_uuid: 'mail-1', project_id: P.lessee, start_time: '2030-01-01T00:00:00', end_time: '2030-01-03T00:00:00' })).body;
    const other = (await t.as('owner').post('/v1/leases').send({ resource_uuid: 'mail-2', project_id: P.other, start_time: '2030-01-01T00:00:00', end_time: '2030-01-03T00:00:00' })).body;
    await t.app.get(ManagerJobs).fulfillDueLeases();
    const job = t.app.get(LeaseMailJob);

    expect(await job.runOnce()).toEqual({ sent: 1, skipped: 1, failed: 0 });
    expect(sink.mails).toHaveLength(1);
    expect(sink.mails[0]).toMatchObject({ from: 'esi@example.com', to: ['lessee@example.com'] });
    expect(sink.mails[0].data).toContain('Subject: [ESI]Lease notification');
    expect(sink.mails[0].text).toContain(`Your lease ${lease.uuid} has started.`);
    expect(sink.mails[0].text).toContain('Node name:  node-one');
    expect(sink.mails[0].text).toContain('Hello lessee,');

    expect(await job.runOnce()).toEqual({ sent: 0, skipped: 0, failed: 0 });
    expect(sink.mails).toHaveLength(1);

    clock.set(at('2030-01-02T06:00:00'));
    expect(await job.runOnce()).toEqual({ sent: 1, skipped: 1, failed: 0 });
    expect(sink.mails[1].text).toContain(`Your lease ${lease.uuid} on node node-one will expire on 2030-01-03T00:00:00.`);
    await job.runOnce();
    expect(sink.mails).toHaveLength(2);
    const logged = await t.dataSource.query('SELECT kind, recipient FROM lease_mails ORDER BY kind');
    expect(logged).toEqual([
      { kind: 'created', recipient: 'lessee@example.com' },
      { kind: 'expiring', recipient: 'lessee@example.com' },
    ]);
    expect(other.uuid).toBeDefined();
  });

  it('a failed send is retried on the next run', async () => {
    t.nodes.add('mail-3', { owner: P.owner });
    clock.set(at('2030-02-01T00:00:00'));
    const lease = (await t.as('owner').post('/v1/leases').send({ resource_uuid: 'mail-3', project_id: P.lessee, start_time: '2030-02-01T00:00:00', end_time: '2030-02-05T00:00:00' })).body;
    await t.app.get(ManagerJobs).fulfillDueLeases();
    const job = t.app.get(LeaseMailJob);
    await sink.stop();
    expect(await job.runOnce()).toMatchObject({ sent: 0, failed: 1 });
    expect(await t.dataSource.query('SELECT kind FROM lease_mails WHERE lease_uuid = ?', [lease.uuid])).toEqual([]);

    await sink.start(port);
    const before = sink.mails.length;
    expect(await job.runOnce()).toMatchObject({ sent: 1, failed: 0 });
    expect(sink.mails.slice(before).map((m) => m.text.includes(lease.uuid))).toEqual([true]);
  });
});

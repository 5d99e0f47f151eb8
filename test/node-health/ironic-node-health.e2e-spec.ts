import amqplib, { Channel, ChannelModel } from 'amqplib';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Clock } from '../../src/common/clock';
import { ESI_LEAP_CONFIG } from '../../src/config/config.module';
import { EsiLeapConfig } from '../../src/config/esi-leap-config';
import { connectIronicNotifications } from '../../src/node-health/consumer/connect-ironic-notifications';
import { describeWithIronic, IronicAdmin, SeededNode } from '../ironic/ironic-service';
import { createIronicTestApp, IronicTestApp } from '../ironic/ironic-test-app';
import { snapshotPackage } from '../reliability/support/package-snapshot';
import { writeLocalConf } from '../support/local-conf';
import { P } from '../support/projects';
import { NotifyingIronic, RABBIT_URL, startNotifyingIronic } from './notifying-ironic';

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Node health end to end: a real Ironic (Debian packages, fake hardware) configured to emit
 * versioned notifications to the real RabbitMQ, esi-leap consuming them through its own
 * durable queue, with the reconcile off so only the notifications can have an effect.
 */
describeWithIronic('node health from a real Ironic', () => {
  let ironic: NotifyingIronic;
  let admin: IronicAdmin;
  let broker: ChannelModel;
  let channel: Channel;
  let dir: string;
  let pkg: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-node-health-'));
    // First: building blocks this process, which would starve the connections opened below.
    pkg = snapshotPackage(path.join(dir, 'pkg'));
    ironic = await startNotifyingIronic();
    admin = new IronicAdmin(ironic.url);
    broker = await amqplib.connect('amqp://guest:guest@127.0.0.1:5672/');
    broker.on('error', () => undefined);
    channel = await broker.createChannel();
  }, 900_000);

  /** The queue's counts, or null while it does not exist (asked on a channel of its own: a 404 closes it). */
  async function queueInfo(queue: string): Promise<{ messageCount: number; consumerCount: number } | null> {
    const probe = await broker.createChannel();
    probe.on('error', () => undefined);
    try {
      return await probe.checkQueue(queue);
    } catch {
      return null;
    } finally {
      await probe.close().catch(() => undefined);
    }
  }

  afterAll(async () => {
    try {
      await ironic?.stop();
    } finally {
      await broker?.close().catch(() => undefined);
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  const notificationsConf = (queue: string) =>
    [
      '[ironic_notifications]',
      'enabled = true',
      `transport_url = ${RABBIT_URL}`,
      `exchange = ${ironic.exchange}`,
      `queue = ${queue}`,
    ].join('\n');

  describe('in-process manager', () => {
    let t: IronicTestApp;
    let nodes: SeededNode[];
    const queue = `esi_leap_node_health_${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      nodes = await ironic.seed(2, P.owner);
      t = await createIronicTestApp(ironic.url, new Clock(), notificationsConf(queue));
      expect(connectIronicNotifications(t.app, t.app.get<EsiLeapConfig>(ESI_LEAP_CONFIG))).toBe(true);
      await t.app.startAllMicroservices();
      await waitFor('the consumer on its queue', async () => (await queueInfo(queue))?.consumerCount === 1);
    }, 300_000);

    afterAll(async () => {
      try {
        await t?.close();
      } finally {
        await channel.deleteQueue(queue).catch(() => undefined);
      }
    });

    const offer = async (node: string) => {
      const res = await t
        .as('owner')
        .post('/v1/offers')
        .send({
          resource_uuid: node,
          start_time: iso(Date.now() - 60_000),
          end_time: iso(Date.now() + 30 * DAY_MS),
        });
      expect(res.status).toBe(201);
      return res.body.uuid as string;
    };
    const claim = (offerUuid: string, fromDays: number, toDays: number) =>
      t
        .as('lessee')
        .post(`/v1/offers/${offerUuid}/claim`)
        .send({ start_time: iso(Date.now() + fromDays * DAY_MS), end_time: iso(Date.now() + toDays * DAY_MS) });
    const lease = async (uuid: string) => (await t.as('lessee').get(`/v1/leases/${uuid}`)).body;
    const events = async (uuid: string) =>
      (await t.dataSource.query('SELECT event_type FROM events WHERE object_uuid = ? ORDER BY id', [uuid])).map(
        (e: { event_type: string }) => e.event_type,
      );

    it('maintenance set in Ironic: the offer refuses claims and its leases are flagged; cleared: they recover', async () => {
      const node = nodes[0].uuid;
      const o = await offer(node);
      const future = (await claim(o, 2, 3)).body.uuid as string;
      expect(future).toBeDefined();

      const setAt = Date.now();
      await admin.call('PUT', `/v1/nodes/${node}/maintenance`, { reason: 'fan failure' });
      const flagged = await waitFor('the lease flagged', async () => {
        const view = await lease(future);
        return view.degraded ? view : undefined;
      });
      const flaggedAfterMs = Date.now() - setAt;
      expect(flagged.degraded_reason).toBe('maintenance: fan failure');
      const refused = await claim(o, 5, 6);
      expect(refused.status).toBe(409);
      expect(refused.body.faultstring).toBe(
        `Node ${node} (ironic_node) cannot be leased now: maintenance: fan failure.`,
      );
      expect((await t.as('lessee').get(`/v1/offers/${o}`)).body.availabilities).toEqual([]);
      expect(await events(future)).toEqual(['esi_leap.lease.degraded']);

      const clearedAt = Date.now();
      await admin.call('DELETE', `/v1/nodes/${node}/maintenance`);
      await waitFor('the lease recovered', async () => !(await lease(future)).degraded);
      const recoveredAfterMs = Date.now() - clearedAt;
      expect(await events(future)).toEqual(['esi_leap.lease.degraded', 'esi_leap.lease.recovered']);
      expect((await claim(o, 5, 6)).status).toBe(201);
      process.stdout.write(
        `node health latency (notification to effect, this machine): flagged after ${flaggedAfterMs} ms, ` +
          `recovered after ${recoveredAfterMs} ms\n`,
      );
    });

    it('a node deleted in Ironic: its offer expires and its leases end, with the usual events and no retries', async () => {
      const node = nodes[1].uuid;
      const o = await offer(node);
      const leases = [(await claim(o, 1, 2)).body.uuid as string, (await claim(o, 3, 4)).body.uuid as string];
      await admin.call('DELETE', `/v1/nodes/${node}`);
      await waitFor('the offer expired', async () => {
        const [row] = await t.dataSource.query('SELECT status FROM offers WHERE uuid = ?', [o]);
        return row.status === 'expired';
      });
      for (const uuid of leases) {
        await waitFor('the lease ended', async () => (await lease(uuid)).status === 'expired');
        expect(await events(uuid)).toEqual(['esi_leap.lease.delete.start', 'esi_leap.lease.delete.end']);
      }
      expect(await t.dataSource.query('SELECT * FROM lease_retries WHERE lease_uuid IN (?, ?)', leases)).toEqual([]);
    });
  });

  describe('a manager process killed while notifications are queued', () => {
    let t: IronicTestApp;
    let conf: string;
    let node: SeededNode;
    const queue = `esi_leap_node_health_${randomBytes(4).toString('hex')}`;
    const children = new Set<ChildProcess>();

    beforeAll(async () => {
      [node] = await ironic.seed(1, P.owner);
      // API calls in-process, without a consumer: the manager process alone takes the messages.
      t = await createIronicTestApp(ironic.url, new Clock());
      conf = path.join(dir, 'esi-leap.conf');
      writeLocalConf(
        conf,
        { connection: t.connection },
        {
          DEFAULT: { host: 'node-health-kill', log_level: 'info' },
          api: { default_resource_type: 'ironic_node' },
          ironic: { auth_type: 'none', endpoint_override: ironic.url },
          ironic_notifications: { enabled: 'true', transport_url: RABBIT_URL, exchange: ironic.exchange, queue },
          node_health: { reconcile_interval: 0 },
          manager: { sweep_interval: 3600 },
        },
      );
    }, 300_000);

    afterAll(async () => {
      for (const child of children) child.kill('SIGKILL');
      try {
        await t?.close();
      } finally {
        await channel.deleteQueue(queue).catch(() => undefined);
      }
    });

    /** Starts `--role=manager` and waits until its consumer is on the queue. */
    async function startManager(): Promise<ChildProcess> {
      const child = spawn(
        process.execPath,
        [path.join(pkg, 'bin', 'esi-leap.js'), '--role=manager', '--config-file', conf],
        {
          cwd: dir,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.add(child);
      child.once('exit', () => children.delete(child));
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      await waitFor(
        'the manager consuming',
        async () => {
          if (child.exitCode !== null) throw new Error(`manager exited:\n${output}`);
          return (await queueInfo(queue))?.consumerCount === 1;
        },
        120_000,
      );
      return child;
    }

    it('finds the notifications waiting in its queue when it comes back, and acts on them', async () => {
      const res = await t
        .as('owner')
        .post('/v1/offers')
        .send({
          resource_uuid: node.uuid,
          start_time: iso(Date.now() - 60_000),
          end_time: iso(Date.now() + 30 * DAY_MS),
        });
      expect(res.status).toBe(201);
      const claimed = await t
        .as('lessee')
        .post(`/v1/offers/${res.body.uuid}/claim`)
        .send({ start_time: iso(Date.now() + DAY_MS), end_time: iso(Date.now() + 2 * DAY_MS) });
      expect(claimed.status).toBe(201);
      const leaseUuid = claimed.body.uuid as string;

      const first = await startManager();
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      expect((await queueInfo(queue))?.consumerCount).toBe(0);

      await admin.call('PUT', `/v1/nodes/${node.uuid}/maintenance`, { reason: 'psu swap' });
      await waitFor('the notifications queued', async () => ((await queueInfo(queue))?.messageCount ?? 0) >= 2);
      expect((await t.as('lessee').get(`/v1/leases/${leaseUuid}`)).body.degraded).toBe(false);

      const second = await startManager();
      const view = await waitFor('the lease flagged after the restart', async () => {
        const body = (await t.as('lessee').get(`/v1/leases/${leaseUuid}`)).body;
        return body.degraded ? body : undefined;
      });
      expect(view.degraded_reason).toBe('maintenance: psu swap');
      await waitFor('the queue drained', async () => (await queueInfo(queue))?.messageCount === 0);
      second.kill('SIGTERM');
      await new Promise((resolve) => second.once('exit', resolve));
    }, 300_000);
  });
});

import { uuid5 } from '../../src/notifications/message-ids';
import { testDatabaseKinds } from '../helpers/test-databases';
import {
  deleteBrokerObjects,
  ensureBrokerAndOslo,
  FlakyBrokerProxy,
  OsloListener,
  RABBIT,
  RawNotificationConsumer,
  uniqueName,
} from '../notifications/notification-harness';
import { P } from '../support/projects';
import { waitUntilRelayed } from './support/notification-audit';
import { ServiceProcess, ServiceProcesses, sleep, terminate, within } from './support/service-processes';
import { printSummary, recordRow } from './support/summary';

/**
 * The relaying manager dies mid-pass: two manager processes with notifications on, a backlog of
 * events made through the API, and the one holding the relay's claim on the cursor SIGKILLed
 * while it works through the backlog. The other one must take over promptly: the next
 * notification must reach the listener within TAKEOVER_BOUND_MS of the kill (the relay's claim
 * is a short lease renewed by its holder, so a dead holder's claim lapses within seconds).
 *
 * Which message is "next": after the kill the cursor is final at event X. The victim published
 * one event at a time and advanced the cursor after each confirm, so it may have sent X + 1
 * (it arrives again from the survivor, a duplicate with the same message id) but never X + 2.
 * The arrival of X + 2 is therefore the survivor's, and it bounds its first notification.
 *
 * The broker link of the managers is slowed (each confirm held 15 ms) so that the backlog takes
 * seconds to publish and the kill lands mid-pass.
 */
const BACKLOG_LEASES = 200;
const TAKEOVER_BOUND_MS = 10_000;
const apiTime = (ms: number) => new Date(ms).toISOString().replace('Z', '');

describe.each(testDatabaseKinds())('relay takeover after the relaying manager is SIGKILLed (%s)', (kind) => {
  let procs: ServiceProcesses;
  let listener: OsloListener;
  let raw: RawNotificationConsumer;
  let proxy: FlakyBrokerProxy;
  const exchange = uniqueName('esi_leap_takeover');
  const topic = uniqueName('esi_leap_takeover_notifications');

  beforeAll(async () => {
    await ensureBrokerAndOslo();
    listener = new OsloListener(exchange, topic);
    await listener.started();
    raw = await RawNotificationConsumer.start(RABBIT, exchange, topic, 'own-queue');
    proxy = await FlakyBrokerProxy.onFreePort();
    proxy.delayFromBrokerMs = 15;
    await proxy.open();
    procs = await ServiceProcesses.create(kind, {
      DEFAULT: { host: 'takeover-test', control_exchange: exchange },
      manager: { sweep_interval: 1 },
      // The relay's own defaults (a pass every second); only the topic is the test's.
      notification: { versioned_notifications_topics: topic },
      oslo_messaging_notifications: { driver: 'messagingv2', transport_url: proxy.url },
    });
    await procs.startApi();
  }, 300_000);

  afterAll(async () => {
    await procs?.stop();
    await proxy?.close();
    await listener?.stop();
    await raw?.stop();
    await deleteBrokerObjects(exchange, topic).catch(() => undefined);
    printSummary();
  });

  async function lease(node: string): Promise<string> {
    const now = Date.now();
    const res = await procs.request('POST', '/v1/leases', 'owner', {
      resource_type: 'dummy_node',
      resource_uuid: node,
      project_id: P.lessee,
      start_time: apiTime(now + 86_400_000),
      end_time: apiTime(now + 2 * 86_400_000),
    });
    if (res.status !== 201) throw new Error(`lease on ${node}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.uuid as string;
  }

  async function cancel(uuid: string): Promise<void> {
    const res = await procs.request('DELETE', `/v1/leases/${uuid}`, 'owner');
    if (res.status !== 200) throw new Error(`cancel ${uuid}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  const cursor = async () =>
    (
      (await procs.db.dataSource.query(
        "SELECT holder, last_event_id, identity FROM notification_cursors WHERE name = 'rabbit'",
      )) as Array<{ holder: string | null; last_event_id: number | string; identity: string }>
    )[0];

  /**
   * How far the relay has got: the cursor moves a batch at a time, and the events handled above
   * it are remembered one by one in `outbox_delivered`.
   */
  const progress = async () => {
    const c = await cursor();
    const [{ newest }] = (await procs.db.dataSource.query(
      "SELECT MAX(event_id) AS newest FROM outbox_delivered WHERE cursor_name = 'rabbit'",
    )) as Array<{ newest: number | string | null }>;
    return { holder: c.holder, identity: c.identity, last: Math.max(Number(c.last_event_id), Number(newest ?? 0)) };
  };

  it(`the next notification reaches the listener within ${TAKEOVER_BOUND_MS / 1000} s of the kill, and every event arrives`, async () => {
    // A backlog of cancellations (two events each) while no manager runs.
    const nodes = procs.addNodes('takeover', BACKLOG_LEASES + 1);
    for (const node of nodes.slice(0, BACKLOG_LEASES)) await cancel(await lease(node));
    const late = await lease(nodes[BACKLOG_LEASES]);
    const [{ newest }] = await procs.db.dataSource.query('SELECT MAX(id) AS newest FROM events');
    const backlogEnd = Number(newest);

    // Watched from the moment they are spawned: on a busy machine the first manager can be
    // through most of the backlog before the second one has finished starting.
    const managers: ServiceProcess[] = [procs.startManager(), procs.startManager()];

    // Kill the holder of the relay's claim mid-pass, with a good part of the backlog still to go.
    const killFrom = 20 + Math.floor(Math.random() * (backlogEnd - 150));
    let victim: ServiceProcess | undefined;
    const watchUntil = Date.now() + 60_000;
    while (!victim && Date.now() < watchUntil) {
      const c = await progress();
      const last = c.last;
      if (c.holder && last >= killFrom && last < backlogEnd - 100) {
        victim = managers.find((m) => c.holder!.startsWith(ServiceProcesses.relayPrefix(m.pid)));
      } else {
        await sleep(20);
      }
    }
    if (!victim) throw new Error(`no manager was caught mid-pass; relay at ${JSON.stringify(await progress())}`);
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;
    const survivor = managers.find((m) => m !== victim)!;
    await within(survivor.started, 60_000, undefined);
    const { last: afterKill, identity } = await progress();
    // A notification made after the kill, behind what is left of the backlog.
    await cancel(late);
    const cancelledAt = Date.now();

    const idOf = (eventId: number) => uuid5(identity, String(eventId));
    const arrival = async (eventId: number, timeoutMs: number) => {
      const id = idOf(eventId);
      const until = Date.now() + timeoutMs;
      for (;;) {
        const got = listener.received.find((n) => n.message_id === id);
        if (got || Date.now() > until) return got?.receivedAt;
        await sleep(20);
      }
    };
    const next = await arrival(afterKill + 2, TAKEOVER_BOUND_MS + 20_000);
    expect(next).toBeDefined();
    const takeoverMs = next! - killedAt;
    expect(takeoverMs).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);

    const audit = await waitUntilRelayed(procs.db.dataSource, listener.received, 60_000);
    // The repeats the broker delivered, before the oslo listener drops them.
    const atBroker = await waitUntilRelayed(procs.db.dataSource, raw.received, 10_000);
    for (const a of [audit, atBroker]) {
      expect({ missing: a.missing, foreign: a.foreign, mismatched: a.mismatched }).toEqual({
        missing: [],
        foreign: [],
        mismatched: [],
      });
    }
    expect(audit.events).toBe(backlogEnd + 2);
    const [{ newest: lateEnd }] = await procs.db.dataSource.query('SELECT MAX(id) AS newest FROM events');
    const lateMs = (await arrival(Number(lateEnd), 0))! - cancelledAt;
    expect(await terminate(survivor)).toBe(0);

    recordRow({
      scenario: `relay takeover (${kind}, 2 managers)`,
      load: `${audit.events} events (${backlogEnd} in a backlog, 2 made after the kill), broker link slowed 15 ms per answer`,
      faults: `the manager holding the relay's claim SIGKILLed mid-pass, at event ${afterKill} of ${backlogEnd}`,
      result:
        `next notification (event ${afterKill + 2}) at the listener ${(takeoverMs / 1000).toFixed(1)} s after the kill ` +
        `(bound ${TAKEOVER_BOUND_MS / 1000} s); the event made after the kill ${(lateMs / 1000).toFixed(1)} s after it was made; ` +
        `every event at least once, ${atBroker.duplicates} duplicates at the broker (same message id)`,
    });
  }, 240_000);
});

import { testDatabaseKinds } from '../helpers/test-databases';
import {
  deleteBrokerObjects,
  ensureBrokerAndOslo,
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
 * Two real manager processes (`bin/esi-leap.js --role=manager`, dummy_node driver with its
 * files in a temp dir) on one database, with notifications on (the real RabbitMQ and an oslo
 * listener), are SIGKILLed in turn at random moments, and restarted, at least KILLS times,
 * while an API process creates leases that start a moment later (and, for half of them, end a
 * few seconds after that); then both finish the work and stop cleanly. Afterwards:
 * - every lease is in the state its times demand (active / expired / still created);
 * - every dummy node file agrees with its lease (holds the lease and lessee iff it is active);
 * - the events table holds exactly one start and one end event per transition, no error event,
 *   nothing for leases that never changed: each lease changed once, whichever manager did it;
 * - every event reached the listener at least once under its own message id; messages sent
 *   again (a manager killed after the broker took a message, before the cursor moved) are
 *   counted by a plain AMQP consumer (an oslo listener drops most repeats), and must carry the
 *   same id.
 *
 * Kills land mid-transition: after each kill the test counts, from the database and the node
 * files, the leases the dead process had claimed but not recorded, and among them those whose
 * node file was already ahead of the database (the driver call done, the outcome not
 * committed). The next manager takes them up once the claim lapses (`claim_timeout`) and
 * records each transition once.
 */
const LEASES = Number(process.env.ESI_LEAP_CRASH_LEASES ?? 1000);
const KILLS = Number(process.env.ESI_LEAP_CRASH_KILLS ?? 20);
const ACTIVE_AT_END = Math.round(LEASES * 0.4); // end tomorrow
const FUTURE = Math.round(LEASES * 0.1); // start tomorrow: never touched
const EXPIRING = LEASES - ACTIVE_AT_END - FUTURE; // end during the kill loop
/** A lease starts this long after it is made; an expiring one ends 2–12 s after its start. */
const START_DELAY_MS = 1_500;
const EXPIRY_DELAY_MS = 2_000;
const EXPIRY_SPREAD_MS = 10_000;
const LOOP_LIMIT_MS = 120_000;
const SETTLE_LIMIT_MS = 90_000;
const DAY = 86_400_000;
/** Creations in flight at once. */
const CREATORS = 8;

const apiTime = (ms: number) => new Date(ms).toISOString().replace('Z', '');

type Kind = 'active' | 'expiring' | 'future';
interface Lease {
  uuid: string;
  node: string;
  kind: Kind;
}

/** What a kill left behind: the dead process's claims, and node files ahead of the database. */
interface KillMark {
  claimed: number;
  fulfilAhead: number;
  endAhead: number;
  relaying: boolean;
}

describe.each(testDatabaseKinds())('manager crash safety: two managers SIGKILLed, notifications on (%s)', (kind) => {
  let procs: ServiceProcesses;
  let listener: OsloListener;
  let raw: RawNotificationConsumer;
  const exchange = uniqueName('esi_leap_crash');
  const topic = uniqueName('esi_leap_crash_notifications');

  beforeAll(async () => {
    await ensureBrokerAndOslo();
    listener = new OsloListener(exchange, topic);
    await listener.started();
    raw = await RawNotificationConsumer.start(RABBIT, exchange, topic, 'own-queue');
    procs = await ServiceProcesses.create(kind, {
      DEFAULT: { host: 'crash-test', control_exchange: exchange },
      manager: {
        sweep_interval: 1,
        // Small batches: transitions complete between kills, and each kill finds some under way.
        batch_size: 25,
        // A kill is not a driver failure; any error event would be a finding.
        max_attempts: 50,
        retry_backoff_base: 0.1,
        retry_backoff_max: 0.5,
        claim_timeout: 3,
      },
      notification: { versioned_notifications_topics: topic, relay_interval: 0.2, publish_timeout: 2 },
      oslo_messaging_notifications: { driver: 'messagingv2', transport_url: RABBIT },
    });
    await procs.startApi();
  }, 300_000);

  afterAll(async () => {
    await procs?.stop();
    await listener?.stop();
    await raw?.stop();
    await deleteBrokerObjects(exchange, topic).catch(() => undefined);
    printSummary();
  });

  /** Creates the leases through the API, CREATORS at a time; each one's window is computed when it is sent. */
  async function createLeases(kinds: readonly Kind[], window: (kind: Kind) => [number, number]): Promise<Lease[]> {
    const nodes = procs.addNodes('crash', kinds.length);
    const made: Lease[] = [];
    let next = 0;
    const creator = async () => {
      for (let i = next++; i < kinds.length; i = next++) {
        const [start, end] = window(kinds[i]);
        const res = await procs.request('POST', '/v1/leases', 'owner', {
          resource_type: 'dummy_node',
          resource_uuid: nodes[i],
          project_id: P.lessee,
          start_time: apiTime(start),
          end_time: apiTime(end),
        });
        if (res.status !== 201) throw new Error(`lease on ${nodes[i]}: ${res.status} ${JSON.stringify(res.body)}`);
        made.push({ uuid: res.body.uuid as string, node: nodes[i], kind: kinds[i] });
      }
    };
    await Promise.all(Array.from({ length: CREATORS }, creator));
    return made;
  }

  /** Whether process `pid` got to hold lease claims within `ms`. */
  async function holdsClaims(pid: number, ms: number): Promise<boolean> {
    const prefix = ServiceProcesses.claimPrefix(pid);
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const rows: Array<{ claimed_by: string }> = await procs.db.dataSource.query(
        'SELECT claimed_by FROM lease_retries WHERE claimed_by IS NOT NULL',
      );
      if (rows.some((r) => r.claimed_by.startsWith(prefix))) return true;
      await sleep(5);
    }
    return false;
  }

  /** Read right after a kill: the dead process's claims cannot be taken by the other manager for claim_timeout. */
  async function markKill(pid: number): Promise<KillMark> {
    const prefix = ServiceProcesses.claimPrefix(pid);
    const rows: Array<{ uuid: string; resource_uuid: string; status: string; claimed_by: string }> =
      await procs.db.dataSource.query(
        `SELECT l.uuid, l.resource_uuid, l.status, r.claimed_by FROM lease_retries r JOIN leases l ON l.uuid = r.lease_uuid
        WHERE r.claimed_by IS NOT NULL`,
      );
    const claimed = rows.filter((r) => r.claimed_by.startsWith(prefix));
    let fulfilAhead = 0;
    let endAhead = 0;
    for (const r of claimed) {
      const holds = procs.nodeFile(r.resource_uuid).lease_uuid === r.uuid;
      if (holds && (r.status === 'created' || r.status === 'wait fulfill')) fulfilAhead += 1;
      if (!holds && (r.status === 'wait expire' || r.status === 'wait cancel')) endAhead += 1;
    }
    const [cursor] = (await procs.db.dataSource.query(
      "SELECT holder FROM notification_cursors WHERE name = 'rabbit'",
    )) as Array<{ holder: string | null }>;
    const relaying = cursor?.holder?.startsWith(ServiceProcesses.relayPrefix(pid)) ?? false;
    return { claimed: claimed.length, fulfilAhead, endAhead, relaying };
  }

  it(`${LEASES} leases made through the API, two managers killed in turn ${KILLS}+ times: states, node files, events and notifications agree`, async () => {
    const t0 = Date.now();
    const managers: ServiceProcess[] = [procs.startManager(), procs.startManager()];
    await Promise.all(managers.map((m) => m.started));

    // Leases are made while the managers work and die: each one starts shortly after it is
    // made (an expiring one also ends a few seconds later), so transitions run all along.
    // Interleaved, so that every batch of the managers meets every kind.
    const kinds = Array.from({ length: LEASES }, (_, i): Kind =>
      i % 10 < 4 ? 'active' : i % 10 === 4 ? 'future' : 'expiring',
    );
    let lastEnd = Date.now();
    let createdIn = '';
    const creation = createLeases(kinds, (k) => {
      const now = Date.now();
      if (k === 'future') return [now + DAY, now + 2 * DAY];
      if (k === 'active') return [now + START_DELAY_MS, now + DAY];
      const end = now + START_DELAY_MS + EXPIRY_DELAY_MS + Math.floor(Math.random() * EXPIRY_SPREAD_MS);
      lastEnd = Math.max(lastEnd, end);
      return [now + START_DELAY_MS, end];
    }).then((made) => {
      createdIn = ((Date.now() - t0) / 1000).toFixed(1);
      return made;
    });
    let creating = true;
    void creation.finally(() => (creating = false)).catch(() => undefined);

    // The kill loop: the two are SIGKILLed in turn, each once it is up (0–1.5 s later, or as
    // soon as it holds claims), and started again at once while the other one works on.
    const marks: KillMark[] = [];
    const progress: number[] = [];
    const loopStarted = Date.now();
    while (
      (marks.length < KILLS || creating || Date.now() < lastEnd + 1_000) &&
      Date.now() - loopStarted < LOOP_LIMIT_MS
    ) {
      const slot = marks.length % 2;
      const victim = managers[slot];
      await within(victim.started, 30_000, undefined);
      // Every other kill waits until the victim holds claims (a transition under way), so
      // that kills land between a transition's claim and its record for sure.
      if (marks.length % 4 < 2) await sleep(Math.floor(Math.random() * 1_500));
      else if (await holdsClaims(victim.pid, 3_000)) await sleep(Math.floor(Math.random() * 20));
      victim.child.kill('SIGKILL');
      await victim.exited;
      marks.push(await markKill(victim.pid));
      const [{ n: done }] = await procs.db.dataSource.query(
        "SELECT COUNT(*) AS n FROM leases WHERE status <> 'created'",
      );
      progress.push(Number(done));
      managers[slot] = procs.startManager();
    }
    await Promise.all(managers.map((m) => within(m.started, 30_000, undefined)));
    const leases = await creation;
    expect(marks.length).toBeGreaterThanOrEqual(KILLS);
    expect(Date.now()).toBeGreaterThan(lastEnd);

    // Both managers finish the work and relay every event; then a clean shutdown.
    const expected = new Map(
      leases.map((l) => [l.uuid, l.kind === 'active' ? 'active' : l.kind === 'future' ? 'created' : 'expired']),
    );
    const settleStarted = Date.now();
    let settled = false;
    while (!settled && Date.now() - settleStarted < SETTLE_LIMIT_MS) {
      await sleep(250);
      const current: Array<{ uuid: string; status: string }> = await procs.db.dataSource.query(
        'SELECT uuid, status FROM leases',
      );
      const [{ n: claims }] = await procs.db.dataSource.query(
        'SELECT COUNT(*) AS n FROM lease_retries WHERE claimed_by IS NOT NULL',
      );
      settled = Number(claims) === 0 && current.every((r) => expected.get(r.uuid) === r.status);
    }
    const relayed = await waitUntilRelayed(
      procs.db.dataSource,
      listener.received,
      Math.max(10_000, SETTLE_LIMIT_MS - (Date.now() - settleStarted)),
    );
    const exits = await Promise.all(managers.map((m) => terminate(m)));
    if (!settled) process.stdout.write(`[crash] manager output:\n${managers.map((m) => m.output()).join('\n---\n')}\n`);
    expect(settled).toBe(true);
    expect(exits).toEqual([0, 0]);

    // 1. States.
    const stored: Array<{ uuid: string; status: string }> = await procs.db.dataSource.query(
      'SELECT uuid, status FROM leases',
    );
    expect(stored).toHaveLength(LEASES);
    expect(stored.filter((r) => expected.get(r.uuid) !== r.status)).toEqual([]);

    // 2. Node files.
    const disagreeing = leases.filter((l) => {
      const file = procs.nodeFile(l.node);
      return l.kind === 'active'
        ? file.lease_uuid !== l.uuid || file.project_id !== P.lessee
        : 'lease_uuid' in file || 'project_id' in file;
    });
    expect(disagreeing.map((l) => l.node)).toEqual([]);

    // 3. Events: one start/end pair per transition, nothing else.
    const counts: Array<Record<string, string | number>> = await procs.db.dataSource.query(
      `SELECT object_uuid,
              SUM(CASE WHEN event_type = 'esi_leap.lease.fulfill.start' THEN 1 ELSE 0 END) AS fs,
              SUM(CASE WHEN event_type = 'esi_leap.lease.fulfill.end' THEN 1 ELSE 0 END) AS fe,
              SUM(CASE WHEN event_type = 'esi_leap.lease.delete.start' THEN 1 ELSE 0 END) AS ds,
              SUM(CASE WHEN event_type = 'esi_leap.lease.delete.end' THEN 1 ELSE 0 END) AS de,
              COUNT(*) AS total
         FROM events GROUP BY object_uuid`,
    );
    const byLease = new Map(counts.map((c) => [String(c.object_uuid), c]));
    const wrong: string[] = [];
    let fulfilledThenExpired = 0;
    for (const l of leases) {
      const c = byLease.get(l.uuid);
      const [fs, fe, ds, de, total] = c ? [c.fs, c.fe, c.ds, c.de, c.total].map(Number) : [0, 0, 0, 0, 0];
      const ok =
        l.kind === 'active'
          ? fs === 1 && fe === 1 && ds === 0 && de === 0 && total === 2
          : l.kind === 'future'
            ? total === 0
            : fs === fe && fs <= 1 && ds === 1 && de === 1 && total === 2 + 2 * fs;
      if (l.kind === 'expiring' && fs === 1) fulfilledThenExpired += 1;
      if (!ok) wrong.push(`${l.kind} ${l.uuid}: ${JSON.stringify(c ?? {})}`);
    }
    expect(wrong).toEqual([]);
    expect(byLease.size).toBe(ACTIVE_AT_END + EXPIRING);

    // 4. Notifications: every event at least once at the oslo listener and at the broker,
    // under its own id; the repeats the broker delivered are counted (the listener drops most).
    const atBroker = await waitUntilRelayed(procs.db.dataSource, raw.received, 10_000);
    for (const audit of [relayed, atBroker]) {
      expect({ missing: audit.missing, foreign: audit.foreign, mismatched: audit.mismatched }).toEqual({
        missing: [],
        foreign: [],
        mismatched: [],
      });
    }

    // 5. The kills did land mid-transition.
    const sum = (f: (m: KillMark) => number) => marks.reduce((s, m) => s + f(m), 0);
    const midTransition = marks.filter((m) => m.claimed > 0).length;
    expect(midTransition).toBeGreaterThan(0);

    const seconds = ((Date.now() - t0) / 1000).toFixed(0);
    process.stdout.write(`[crash] leases done after each kill: ${progress.join(' ')}\n`);
    recordRow({
      scenario: `manager crash safety (${kind}, 2 managers, dummy_node files, notifications on)`,
      load: `${LEASES} leases made through the API in ${createdIn} s (${ACTIVE_AT_END} to fulfil, ${EXPIRING} to expire, ${FUTURE} future), ${seconds} s`,
      faults:
        `${marks.length} x SIGKILL (${marks.filter((m) => m.relaying).length} of the relaying manager); ` +
        `${midTransition} kills left ${sum((m) => m.claimed)} leases claimed, not recorded ` +
        `(node files ahead of the DB: ${sum((m) => m.fulfilAhead)} given, ${sum((m) => m.endAhead)} taken back)`,
      result:
        `all states as their times demand; 0 node files disagree; ${atBroker.events} events = one start/end pair per ` +
        `transition (${fulfilledThenExpired} fulfilled then expired), 0 lost, 0 doubled; every event notified at ` +
        `least once, ${atBroker.duplicates} duplicates at the broker (same message id), ${relayed.duplicates} of them passed on by the oslo listener`,
    });
  }, 420_000);
});

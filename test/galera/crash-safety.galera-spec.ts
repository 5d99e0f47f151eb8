import {
  RABBIT,
  RawNotificationConsumer,
  deleteBrokerObjects,
  uniqueName,
} from '../notifications/notification-harness';
import { headersFor, P } from '../support/projects';
import { OutboxReader, waitUntilRelayed } from '../reliability/support/notification-audit';
import { ServiceProcesses, sleep, within } from '../reliability/support/service-processes';
import { printSummary, recordRow } from '../reliability/support/summary';
import { EsiLeapProcess } from './support/esi-leap-processes';
import { checksumsPerNode, connectNode, queryNode, retriedByGalera } from './support/galera-cluster';
import { GaleraFixture } from './support/galera-fixture';

/**
 * Manager crash safety on Galera with every node taking writes: two API processes (node 1
 * first, node 2 first) create leases that start a moment later (and, for most, end a few
 * seconds after that) while two managers, one on node 2 and one on node 3, work them off and
 * relay the events to RabbitMQ. The managers are SIGKILLed in turn, KILLS times or more, each
 * restarted on its node while the other keeps going on its own. Two managers on different nodes
 * claim leases and the relay's cursor through rows that conflict only at certification, so this
 * is where a lost claim or a doubled transition would show. Afterwards, by SQL on node 1:
 * - every lease is in the state its times demand, and every dummy node file agrees with it
 *   (holds the lease and lessee iff it is active);
 * - the events table holds exactly one start and one end event per transition, none for
 *   leases that never changed, no error event;
 * - every event reached RabbitMQ at least once under its own message id (repeats counted);
 * - `CHECKSUM TABLE` is equal on the three nodes.
 */
const LEASES = Number(process.env.ESI_LEAP_GALERA_CRASH_LEASES ?? 500);
const KILLS = Number(process.env.ESI_LEAP_GALERA_CRASH_KILLS ?? 10);
const START_DELAY_MS = 1_500;
const EXPIRY_DELAY_MS = 2_000;
const EXPIRY_SPREAD_MS = 10_000;
const LOOP_LIMIT_MS = 150_000;
const SETTLE_LIMIT_MS = 90_000;
const DAY = 86_400_000;
const CREATORS = 8;

const apiTime = (ms: number) => new Date(ms).toISOString().replace('Z', '');

type Kind = 'active' | 'expiring' | 'future';
interface Lease {
  uuid: string;
  node: string;
  kind: Kind;
}

/** What a kill left behind: the dead process's lease claims, and whether it held the relay's cursor. */
interface KillMark {
  claimed: number;
  relaying: boolean;
}

describe('manager crash safety on Galera: two managers on different nodes, one SIGKILLed while the other goes on', () => {
  let fixture: GaleraFixture;
  let raw: RawNotificationConsumer;
  let apis: EsiLeapProcess[];
  /** Manager slot i connects through "node managerNodes[i] first". */
  const managerNodes = [2, 3];
  const managerConfs: string[] = [];
  const exchange = uniqueName('esi_leap_galera_crash');
  const topic = uniqueName('esi_leap_galera_crash_notifications');
  /** The outbox and leases as node 1 holds them. */
  let node1: OutboxReader;

  beforeAll(async () => {
    raw = await RawNotificationConsumer.start(RABBIT, exchange, topic, 'own-queue');
    fixture = await GaleraFixture.create();
    const options = {
      DEFAULT: { host: 'galera-crash', control_exchange: exchange },
      manager: {
        sweep_interval: 1,
        batch_size: 25,
        // A kill is not a driver failure; any error event would be a finding.
        max_attempts: 50,
        retry_backoff_base: 0.1,
        retry_backoff_max: 0.5,
        claim_timeout: 3,
      },
      notification: { versioned_notifications_topics: topic, relay_interval: 0.2, publish_timeout: 2 },
      oslo_messaging_notifications: { driver: 'messagingv2', transport_url: RABBIT },
    };
    const urls = fixture.cluster.nodeFirstUrls;
    apis = [
      await fixture.processes.start('api', fixture.writeConf('crash-api-a', urls[0], options)),
      await fixture.processes.start('api', fixture.writeConf('crash-api-b', urls[1], options)),
    ];
    for (const n of managerNodes) managerConfs.push(fixture.writeConf(`crash-manager-node${n}`, urls[n - 1], options));
    node1 = { query: (sql: string, params?: unknown[]) => queryNode(fixture.cluster, 1, fixture.db.name, sql, params) };
  }, 300_000);

  afterAll(async () => {
    await fixture?.close();
    await raw?.stop();
    await deleteBrokerObjects(exchange, topic).catch(() => undefined);
    printSummary();
  });

  const onNode = <T>(node: number, sql: string, params: unknown[] = []) =>
    queryNode<T>(fixture.cluster, node, fixture.db.name, sql, params);

  /** Creates the leases through the two API processes in turn, CREATORS at a time. */
  async function createLeases(kinds: readonly Kind[], window: (kind: Kind) => [number, number]): Promise<Lease[]> {
    const nodes = kinds.map((_, i) => `gcrash-${i}`);
    for (const node of nodes) fixture.addNode(node);
    const made: Lease[] = [];
    let next = 0;
    const creator = async () => {
      for (let i = next++; i < kinds.length; i = next++) {
        const [start, end] = window(kinds[i]);
        const res = await fetch(`${apis[i % 2].url}/v1/leases`, {
          method: 'POST',
          headers: { ...headersFor('owner'), 'Content-Type': 'application/json' },
          body: JSON.stringify({
            resource_type: 'dummy_node',
            resource_uuid: nodes[i],
            project_id: P.lessee,
            start_time: apiTime(start),
            end_time: apiTime(end),
          }),
        });
        const body = await res.text();
        if (res.status !== 201) throw new Error(`lease on ${nodes[i]}: ${res.status} ${body}`);
        made.push({ uuid: (JSON.parse(body) as { uuid: string }).uuid, node: nodes[i], kind: kinds[i] });
      }
    };
    await Promise.all(Array.from({ length: CREATORS }, creator));
    return made;
  }

  /** Whether process `pid` holds lease claims within `ms`, as its own node sees them. */
  async function holdsClaims(node: number, pid: number, ms: number): Promise<boolean> {
    const prefix = ServiceProcesses.claimPrefix(pid);
    const until = Date.now() + ms;
    // One connection polled as fast as it answers: a claim lives for a few milliseconds.
    const connection = await connectNode(fixture.cluster, node, fixture.db.name);
    try {
      while (Date.now() < until) {
        const [rows] = await connection.query('SELECT claimed_by FROM lease_retries WHERE claimed_by IS NOT NULL');
        if ((rows as Array<{ claimed_by: string }>).some((r) => r.claimed_by.startsWith(prefix))) return true;
      }
      return false;
    } finally {
      await connection.end();
    }
  }

  async function markKill(node: number, pid: number): Promise<KillMark> {
    const claims = await onNode<{ claimed_by: string }>(
      node,
      'SELECT claimed_by FROM lease_retries WHERE claimed_by IS NOT NULL',
    );
    const [cursor] = await onNode<{ holder: string | null }>(
      node,
      "SELECT holder FROM notification_cursors WHERE name = 'rabbit'",
    );
    return {
      claimed: claims.filter((r) => r.claimed_by.startsWith(ServiceProcesses.claimPrefix(pid))).length,
      relaying: cursor?.holder?.startsWith(ServiceProcesses.relayPrefix(pid)) ?? false,
    };
  }

  it(`${LEASES} leases, two managers on nodes 2 and 3 SIGKILLed in turn ${KILLS}+ times: each lease changes once, node files, events and notifications agree, nodes equal`, async () => {
    const t0 = Date.now();
    const retriedBefore = await retriedByGalera(fixture.cluster);
    const managers: EsiLeapProcess[] = await Promise.all(
      managerConfs.map((conf) => fixture.processes.start('manager', conf)),
    );

    const kinds = Array.from({ length: LEASES }, (_, i): Kind =>
      i % 10 < 4 ? 'active' : i % 10 === 4 ? 'future' : 'expiring',
    );
    let lastEnd = Date.now();
    let creating = true;
    const creation = createLeases(kinds, (k) => {
      const now = Date.now();
      if (k === 'future') return [now + DAY, now + 2 * DAY];
      if (k === 'active') return [now + START_DELAY_MS, now + DAY];
      const end = now + START_DELAY_MS + EXPIRY_DELAY_MS + Math.floor(Math.random() * EXPIRY_SPREAD_MS);
      lastEnd = Math.max(lastEnd, end);
      return [now + START_DELAY_MS, end];
    });
    void creation.finally(() => (creating = false)).catch(() => undefined);

    // The two are SIGKILLed in turn, each restarted on its node at once while the other works.
    const marks: KillMark[] = [];
    const loopStarted = Date.now();
    while (
      (marks.length < KILLS || creating || Date.now() < lastEnd + 1_000) &&
      Date.now() - loopStarted < LOOP_LIMIT_MS
    ) {
      const slot = marks.length % 2;
      const victim = managers[slot];
      const node = managerNodes[slot];
      // One kill in four at a random moment; the others as soon as the victim holds claims, so
      // that they land between a transition's claim and its record.
      if (marks.length % 4 === 0) await sleep(Math.floor(Math.random() * 1_500));
      else await holdsClaims(node, victim.child.pid!, 3_000);
      victim.child.kill('SIGKILL');
      await victim.exited;
      marks.push(await markKill(node, victim.child.pid!));
      managers[slot] = await fixture.processes.start('manager', managerConfs[slot]);
    }
    const leases = await creation;
    expect(marks.length).toBeGreaterThanOrEqual(KILLS);
    expect(Date.now()).toBeGreaterThan(lastEnd);

    const expected = new Map(
      leases.map((l) => [l.uuid, l.kind === 'active' ? 'active' : l.kind === 'future' ? 'created' : 'expired']),
    );
    const settleStarted = Date.now();
    let settled = false;
    while (!settled && Date.now() - settleStarted < SETTLE_LIMIT_MS) {
      await sleep(250);
      const current = await onNode<{ uuid: string; status: string }>(1, 'SELECT uuid, status FROM leases');
      const [{ n: claims }] = await onNode<{ n: number }>(
        1,
        'SELECT COUNT(*) AS n FROM lease_retries WHERE claimed_by IS NOT NULL',
      );
      settled = Number(claims) === 0 && current.every((r) => expected.get(r.uuid) === r.status);
    }
    const settledIn = (Date.now() - settleStarted) / 1000;
    const atBroker = await waitUntilRelayed(node1, raw.received, Math.max(15_000, SETTLE_LIMIT_MS - settledIn * 1000));
    const exits = await Promise.all(
      managers.map(async (m) => {
        m.child.kill('SIGTERM');
        const code = await within(m.exited, 30_000, 'hung' as const);
        // What it was doing when it would not stop: its last log lines.
        if (code === 'hung') {
          const statements = await Promise.all(
            [1, 2, 3].map((n) =>
              onNode<Record<string, unknown>>(
                n,
                'SELECT id, command, time, state, info FROM information_schema.processlist WHERE db = ?',
                [fixture.db.name],
              ).then((rows) => `node ${n}: ${JSON.stringify(rows)}`),
            ),
          );
          process.stdout.write(
            `[galera crash] manager still running 30 s after SIGTERM:\n${m.output()}\n${statements.join('\n')}\n`,
          );
        }
        return code;
      }),
    );
    if (!settled)
      process.stdout.write(`[galera crash] manager output:\n${managers.map((m) => m.output()).join('\n---\n')}\n`);
    expect(settled).toBe(true);
    expect(exits).toEqual([0, 0]);

    // 1. States, by SQL on node 1.
    const stored = await onNode<{ uuid: string; status: string }>(1, 'SELECT uuid, status FROM leases');
    expect(stored).toHaveLength(LEASES);
    expect(stored.filter((r) => expected.get(r.uuid) !== r.status)).toEqual([]);

    // 2. The dummy driver's nodes: lessee set on active leases, unset after expiry or never set.
    const disagreeing = leases.filter((l) => {
      const file = fixture.nodeFile(l.node);
      return l.kind === 'active'
        ? file.lease_uuid !== l.uuid || file.project_id !== P.lessee
        : 'lease_uuid' in file || 'project_id' in file;
    });
    expect(disagreeing.map((l) => l.node)).toEqual([]);

    // 3. Events: each lease changed state exactly once per transition, whichever manager did it.
    const counts = await onNode<Record<string, string | number>>(
      1,
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
          ? fs === 1 && fe === 1 && total === 2
          : l.kind === 'future'
            ? total === 0
            : fs === fe && fs <= 1 && ds === 1 && de === 1 && total === 2 + 2 * fs;
      if (l.kind === 'expiring' && fs === 1) fulfilledThenExpired += 1;
      if (!ok) wrong.push(`${l.kind} ${l.uuid}: ${JSON.stringify(c ?? {})}`);
    }
    expect(wrong).toEqual([]);
    expect(byLease.size).toBe(leases.filter((l) => l.kind !== 'future').length);

    // 4. Notifications: every event at RabbitMQ at least once, under its own id, nothing foreign.
    expect({ missing: atBroker.missing, foreign: atBroker.foreign, mismatched: atBroker.mismatched }).toEqual({
      missing: [],
      foreign: [],
      mismatched: [],
    });

    // 5. Some kills did land mid-transition, and the three nodes hold the same data.
    const midTransition = marks.filter((m) => m.claimed > 0).length;
    expect(midTransition).toBeGreaterThan(0);
    const checksums = await checksumsPerNode(fixture.cluster, fixture.db.name);
    expect(new Set(checksums).size).toBe(1);

    const retriedAfter = await retriedByGalera(fixture.cluster);
    const count = (k: Kind) => leases.filter((l) => l.kind === k).length;
    recordRow({
      scenario: 'Galera manager crash safety (all writers, managers on nodes 2 and 3)',
      load:
        `${LEASES} leases through 2 API processes (node 1 first, node 2 first): ${count('active')} to fulfil, ` +
        `${count('expiring')} to expire, ${count('future')} future; ${((Date.now() - t0) / 1000).toFixed(0)} s, settled ${settledIn.toFixed(1)} s after the last kill`,
      faults:
        `${marks.length} × SIGKILL of a manager (${marks.filter((m) => m.relaying).length} holding the relay cursor; ` +
        `${midTransition} left ${marks.reduce((s, m) => s + m.claimed, 0)} leases claimed, not recorded); ` +
        `Galera aborts retried: ${retriedAfter.bfAborts - retriedBefore.bfAborts} brute-force, ${retriedAfter.certFailures - retriedBefore.certFailures} certification`,
      result:
        `all states as their times demand; 0 node files disagree; ${atBroker.events} events = one start/end pair per ` +
        `transition (${fulfilledThenExpired} fulfilled then expired), 0 lost, 0 doubled; every event at RabbitMQ, ` +
        `0 skipped, ${atBroker.duplicates} repeats (same message id); checksums equal`,
    });
  }, 420_000);
});

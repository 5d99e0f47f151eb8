import { readFileSync, statSync } from 'node:fs';
import { headersFor, P } from '../support/projects';
import { printSummary, recordRow } from '../reliability/support/summary';
import { EsiLeapProcess } from './support/esi-leap-processes';
import { checksumsPerNode, galeraScript, queryNode, wsrepCounters } from './support/galera-cluster';
import { GaleraFixture } from './support/galera-fixture';

/**
 * One Galera node SIGKILLed under load, then restarted. API process A connects through HAProxy
 * with node 1 first, B with node 2 first (the others as backups); WORKERS clients per process
 * book (each on its own dummy node, never conflicting) and read the booking back, in a loop.
 * Node 2 is killed: A must keep answering 2xx throughout; B's clients may get 503 until
 * HAProxy sends new connections to a surviving node (seconds), never a 500, and B recovers
 * without a restart while node 2 is still down. Node 2 is then restarted (`galera.sh start`:
 * the position is recovered and IST sends the missing write sets) under the same load. At the
 * end every booking answered 201 is in the database, and all three nodes hold the same data.
 */
const WORKERS = 4;
const HEALTHY_MS = 3_000;
/** Node 2 stays down this long; B must have recovered before it comes back. */
const DOWN_MS = 10_000;
const STEADY_MS = 3_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KILLED = 2;

type Phase = 'healthy' | 'down' | 'rejoining' | 'rejoined';

interface Sample {
  process: 'A' | 'B';
  phase: Phase;
  kind: 'book' | 'read';
  status: number | 'timeout' | 'network';
  sentAt: number;
  at: number;
  body: string;
  uuid?: string;
}

const ok = (s: Sample) => typeof s.status === 'number' && s.status < 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a Galera node SIGKILLed under load, then restarted', () => {
  let fixture: GaleraFixture;
  let apis: Record<'A' | 'B', EsiLeapProcess>;

  beforeAll(async () => {
    fixture = await GaleraFixture.create();
    const [first, second] = fixture.cluster.nodeFirstUrls;
    apis = {
      A: await fixture.processes.start('api', fixture.writeConf('kill-api-a', first)),
      B: await fixture.processes.start('api', fixture.writeConf('kill-api-b', second)),
    };
    for (const p of ['A', 'B']) for (let w = 0; w < WORKERS; w++) fixture.addNode(`kill-${p}-${w}`);
  }, 300_000);

  afterAll(async () => {
    // Whatever happened, leave a whole cluster behind for the next scenario.
    await galeraScript('start').catch(() => undefined);
    await fixture?.close();
    printSummary();
  });

  it('keeps serving on the surviving nodes, fails over, loses nothing, and the node rejoins with equal data', async () => {
    let phase: Phase = 'healthy';
    let stop = false;
    const samples: Sample[] = [];

    async function request(api: 'A' | 'B', kind: Sample['kind'], path: string, init: RequestInit): Promise<Sample> {
      const sentIn = phase;
      const sentAt = Date.now();
      try {
        const res = await fetch(`${apis[api].url}${path}`, {
          ...init,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const sample: Sample = {
          process: api,
          phase: sentIn,
          kind,
          status: res.status,
          sentAt,
          at: Date.now(),
          body: await res.text(),
        };
        samples.push(sample);
        return sample;
      } catch (err) {
        const status = (err as Error).name === 'TimeoutError' ? 'timeout' : 'network';
        const sample: Sample = { process: api, phase: sentIn, kind, status, sentAt, at: Date.now(), body: String(err) };
        samples.push(sample);
        return sample;
      }
    }

    async function worker(api: 'A' | 'B', w: number): Promise<void> {
      for (let n = 0; !stop; n++) {
        const day = (d: number) => new Date(Date.UTC(2032, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
        const booked = await request(api, 'book', '/v1/leases', {
          method: 'POST',
          headers: { ...headersFor('owner'), 'Content-Type': 'application/json' },
          body: JSON.stringify({
            resource_uuid: `kill-${api}-${w}`,
            project_id: P.lessee,
            start_time: day(n),
            end_time: day(n + 1),
          }),
        });
        if (booked.status !== 201) continue;
        booked.uuid = (JSON.parse(booked.body) as { uuid: string }).uuid;
        await request(api, 'read', `/v1/leases/${booked.uuid}`, { headers: headersFor('admin') });
      }
    }

    const workers = (['A', 'B'] as const).flatMap((p) => Array.from({ length: WORKERS }, (_, w) => worker(p, w)));
    const errorLog = `${process.env.ESI_LEAP_GALERA_STATE ?? '/tmp/esi-leap-galera'}/node${KILLED}/error.log`;
    let killedAt = 0;
    let restartAt = 0;
    let rejoinedAt = 0;
    let logOffset = 0;
    try {
      await sleep(HEALTHY_MS);
      logOffset = statSync(errorLog).size;
      phase = 'down';
      killedAt = Date.now();
      await galeraScript('kill', String(KILLED));
      await sleep(DOWN_MS);
      phase = 'rejoining';
      restartAt = Date.now();
      await galeraScript('start');
      rejoinedAt = Date.now();
      phase = 'rejoined';
      await sleep(STEADY_MS);
    } finally {
      stop = true;
      await Promise.all(workers);
    }

    const of = (p: 'A' | 'B') => samples.filter((s) => s.process === p);
    const listed = (list: Sample[]) =>
      list.map((s) => `${s.process} ${s.phase} ${s.kind} ${s.status}: ${s.body.slice(0, 160)}`);

    // A, on node 1, never noticed anything but latency.
    expect(of('A').filter((s) => s.phase === 'healthy').length).toBeGreaterThan(10);
    expect(listed(of('A').filter((s) => !ok(s)))).toEqual([]);
    // B: nothing but success or the 503 of an unavailable database, never a 500 or a hang.
    const failedB = of('B').filter((s) => !ok(s));
    expect(listed(failedB.filter((s) => s.status !== 503))).toEqual([]);
    for (const s of failedB) {
      expect(JSON.parse(s.body)).toEqual({
        faultcode: 'Server',
        faultstring: 'Database is unavailable.',
        debuginfo: null,
      });
    }
    // Before the kill everything succeeded; B's 503s all come after it.
    expect(listed(failedB.filter((s) => s.at < killedAt))).toEqual([]);
    // B failed over while node 2 was still down: the last 503 answered before the restart, and
    // B's requests sent after it (while node 2 was still down) all succeeded.
    const lastFailure = Math.max(killedAt, ...failedB.map((s) => s.at));
    expect(lastFailure).toBeLessThan(restartAt);
    const afterFailover = of('B').filter((s) => s.sentAt > lastFailure && s.phase === 'down');
    expect(afterFailover.length).toBeGreaterThan(0);
    // The node rejoined, by IST (the write sets it missed), not by a full copy.
    const rejoinLog = readFileSync(errorLog, 'utf8').slice(logOffset);
    expect(rejoinLog).toMatch(/IST received/);
    const counters = await Promise.all(fixture.cluster.nodes.map((n) => wsrepCounters(fixture.cluster, n.number)));
    expect(counters.map((c) => `${c.clusterSize} ${c.state}`)).toEqual(['3 Synced', '3 Synced', '3 Synced']);

    // Nothing committed is lost: every 201 is stored, on every node.
    const db = fixture.db.name;
    const booked = samples.filter((s) => s.kind === 'book' && s.status === 201).map((s) => s.uuid!);
    for (const node of [1, 2, 3]) {
      const stored = await queryNode<{ uuid: string }>(
        fixture.cluster,
        node,
        db,
        "SELECT uuid FROM leases WHERE resource_uuid LIKE 'kill-%'",
      );
      const have = new Set(stored.map((r) => r.uuid));
      expect(booked.filter((uuid) => !have.has(uuid))).toEqual([]);
    }
    // A 503 on a booking whose COMMIT had been sent is ambiguous: it may have committed.
    const stored = await queryNode<{ n: number }>(
      fixture.cluster,
      1,
      db,
      "SELECT COUNT(*) AS n FROM leases WHERE resource_uuid LIKE 'kill-%'",
    );
    const ambiguous = Number(stored[0].n) - booked.length;
    expect(ambiguous).toBeGreaterThanOrEqual(0);
    expect(ambiguous).toBeLessThanOrEqual(failedB.filter((s) => s.kind === 'book').length);
    const checksums = await checksumsPerNode(fixture.cluster, db);
    expect(new Set(checksums).size).toBe(1);

    const slowest = (p: 'A' | 'B', phase: Phase) =>
      Math.max(
        0,
        ...of(p)
          .filter((s) => s.phase === phase)
          .map((s) => s.at - s.sentAt),
      );
    const firstFailure = failedB.length ? Math.min(...failedB.map((s) => s.at)) : killedAt;
    const bookedBy = (p: 'A' | 'B') => of(p).filter((s) => s.kind === 'book' && s.status === 201).length;
    recordRow({
      scenario: 'Galera node SIGKILLed under load',
      load: `2 API processes (A node 1 first, B node 2 first), ${WORKERS} clients each booking + reading back, ${samples.length} requests`,
      faults: `node ${KILLED} SIGKILLed, down ${DOWN_MS / 1000} s, restarted (rejoined by IST in ${((rejoinedAt - restartAt) / 1000).toFixed(1)} s)`,
      result:
        `A: ${of('A').length}/${of('A').length} 2xx, slowest ${slowest('A', 'healthy')} ms before the kill, ` +
        `${slowest('A', 'down')} ms after it, ${slowest('A', 'rejoining')} ms during the rejoin; ` +
        `B: ${failedB.length} × 503 over ${((lastFailure - firstFailure) / 1000).toFixed(1)} s (last ${((lastFailure - killedAt) / 1000).toFixed(1)} s after the kill), then 2xx without restart; ` +
        `${booked.length} bookings (A ${bookedBy('A')}, B ${bookedBy('B')}) all on 3 nodes, ${ambiguous} committed despite a 503; checksums equal`,
    });
  }, 300_000);
});

import { headersFor, P } from '../support/projects';
import { printSummary, recordRow } from '../reliability/support/summary';
import { EsiLeapProcess } from './support/esi-leap-processes';
import { checksumsPerNode, connectNode, queryNode, wsrepCounters } from './support/galera-cluster';
import { GaleraFixture } from './support/galera-fixture';

/**
 * A Galera node cut off from the majority under load (`gmcast.isolate=1`: it drops its group
 * connections and stays up, non-Primary), then let back. API process A connects through HAProxy
 * with node 1 first, C with node 3 first; WORKERS clients per process book and read back in a
 * loop. Node 3 is isolated: its clients' statements fail with errno 1047 (WSREP not ready) or a
 * `wsrep_sync_wait` timeout (1205) until HAProxy's Galera-aware check marks it down and closes
 * its sessions. C must answer only 2xx or the 503 `Database is unavailable.` (never a 500), and
 * succeed again through a backup node while node 3 is still isolated; A must answer 2xx
 * throughout. Node 3 then rejoins; every booking answered 201 is on all three nodes, which end
 * with equal data.
 */
const WORKERS = 4;
const HEALTHY_MS = 3_000;
/** How long node 3 stays isolated once it has left the Primary component. */
const ISOLATED_MS = 10_000;
const STEADY_MS = 3_000;
const REQUEST_TIMEOUT_MS = 30_000;
const ISOLATED = 3;

type Phase = 'healthy' | 'isolated' | 'rejoining' | 'rejoined';

interface Sample {
  process: 'A' | 'C';
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

describe('a Galera node cut off from the majority under load, then let back', () => {
  let fixture: GaleraFixture;
  let apis: Record<'A' | 'C', EsiLeapProcess>;

  /** Sets node 3's gmcast.isolate (1: drop every group connection; 0: reconnect). */
  async function isolate(on: boolean): Promise<void> {
    const connection = await connectNode(fixture.cluster, ISOLATED);
    try {
      await connection.query(`SET GLOBAL wsrep_provider_options = 'gmcast.isolate=${on ? 1 : 0}'`);
    } finally {
      await connection.end();
    }
  }

  /** Polls until `done` holds; the time it took. */
  async function until(done: () => Promise<boolean>, what: string, ms = 60_000): Promise<number> {
    const started = Date.now();
    while (!(await done().catch(() => false))) {
      if (Date.now() - started > ms) throw new Error(`${what}: not after ${ms} ms`);
      await sleep(100);
    }
    return Date.now() - started;
  }

  beforeAll(async () => {
    fixture = await GaleraFixture.create();
    apis = {
      A: await fixture.processes.start('api', fixture.writeConf('isolate-api-a', fixture.cluster.nodeFirstUrls[0])),
      C: await fixture.processes.start('api', fixture.writeConf('isolate-api-c', fixture.cluster.nodeFirstUrls[2])),
    };
    for (const p of ['A', 'C']) for (let w = 0; w < WORKERS; w++) fixture.addNode(`isolate-${p}-${w}`);
  }, 300_000);

  afterAll(async () => {
    // Whatever happened, leave a whole cluster behind for the next scenario.
    await isolate(false).catch(() => undefined);
    await fixture?.close();
    printSummary();
  });

  it('answers 503, never 500, while the node is cut off, fails over, and the node rejoins with equal data', async () => {
    let phase: Phase = 'healthy';
    let stop = false;
    const samples: Sample[] = [];

    async function request(api: 'A' | 'C', kind: Sample['kind'], path: string, init: RequestInit): Promise<Sample> {
      const sentIn = phase;
      const sentAt = Date.now();
      let sample: Sample;
      try {
        const res = await fetch(`${apis[api].url}${path}`, {
          ...init,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        sample = {
          process: api,
          phase: sentIn,
          kind,
          status: res.status,
          sentAt,
          at: Date.now(),
          body: await res.text(),
        };
      } catch (err) {
        const status = (err as Error).name === 'TimeoutError' ? 'timeout' : 'network';
        sample = { process: api, phase: sentIn, kind, status, sentAt, at: Date.now(), body: String(err) };
      }
      samples.push(sample);
      return sample;
    }

    async function worker(api: 'A' | 'C', w: number): Promise<void> {
      for (let n = 0; !stop; n++) {
        const day = (d: number) => new Date(Date.UTC(2033, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
        const booked = await request(api, 'book', '/v1/leases', {
          method: 'POST',
          headers: { ...headersFor('owner'), 'Content-Type': 'application/json' },
          body: JSON.stringify({
            resource_uuid: `isolate-${api}-${w}`,
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

    const workers = (['A', 'C'] as const).flatMap((p) => Array.from({ length: WORKERS }, (_, w) => worker(p, w)));
    let isolatedAt = 0;
    let nonPrimaryMs = 0;
    let letBackAt = 0;
    let rejoinMs = 0;
    try {
      await sleep(HEALTHY_MS);
      phase = 'isolated';
      isolatedAt = Date.now();
      await isolate(true);
      nonPrimaryMs = await until(
        async () =>
          (
            await queryNode<{ Value: string }>(
              fixture.cluster,
              ISOLATED,
              'mysql',
              "SHOW STATUS LIKE 'wsrep_cluster_status'",
            )
          )[0]?.Value === 'non-Primary',
        'node 3 non-Primary',
      );
      await sleep(ISOLATED_MS);
      phase = 'rejoining';
      letBackAt = Date.now();
      await isolate(false);
      rejoinMs = await until(async () => {
        const counters = await Promise.all(fixture.cluster.nodes.map((n) => wsrepCounters(fixture.cluster, n.number)));
        return counters.every((c) => c.clusterSize === 3 && c.state === 'Synced');
      }, 'node 3 back in a Synced cluster of 3');
      phase = 'rejoined';
      await sleep(STEADY_MS);
    } finally {
      stop = true;
      await Promise.all(workers);
    }

    const of = (p: 'A' | 'C') => samples.filter((s) => s.process === p);
    const listed = (list: Sample[]) =>
      list.map((s) => `${s.process} ${s.phase} ${s.kind} ${s.status}: ${s.body.slice(0, 200)}`);

    // A, on node 1, saw nothing but latency.
    expect(of('A').filter((s) => s.phase === 'healthy').length).toBeGreaterThan(10);
    expect(listed(of('A').filter((s) => !ok(s)))).toEqual([]);
    // C: success or the 503 of an unavailable database; in particular no 500 from errno 1047 or 1205.
    const failedC = of('C').filter((s) => !ok(s));
    if (failedC.some((s) => s.status !== 503))
      process.stdout.write(`[unready node] C's warnings and errors:\n${apis.C.problems()}\n`);
    expect(listed(failedC.filter((s) => s.status !== 503))).toEqual([]);
    for (const s of failedC) {
      expect(JSON.parse(s.body)).toEqual({
        faultcode: 'Server',
        faultstring: 'Database is unavailable.',
        debuginfo: null,
      });
    }
    // C did meet the isolated node, and only after it was cut off.
    expect(failedC.length).toBeGreaterThan(0);
    expect(listed(failedC.filter((s) => s.at < isolatedAt))).toEqual([]);
    // C failed over while node 3 was still isolated: its last 503 came before node 3 was let
    // back, and requests it sent after that 503 while node 3 was still isolated succeeded.
    const lastFailure = Math.max(...failedC.map((s) => s.at));
    expect(lastFailure).toBeLessThan(letBackAt);
    expect(of('C').filter((s) => s.sentAt > lastFailure && s.phase === 'isolated').length).toBeGreaterThan(0);

    // Nothing committed is lost: every 201 is on every node.
    const db = fixture.db.name;
    const booked = samples.filter((s) => s.kind === 'book' && s.status === 201).map((s) => s.uuid!);
    for (const node of [1, 2, 3]) {
      const stored = await queryNode<{ uuid: string }>(
        fixture.cluster,
        node,
        db,
        "SELECT uuid FROM leases WHERE resource_uuid LIKE 'isolate-%'",
      );
      const have = new Set(stored.map((r) => r.uuid));
      expect(booked.filter((uuid) => !have.has(uuid))).toEqual([]);
    }
    // A booking answered 503 after its COMMIT was sent may have committed; never more than those.
    const [{ n }] = await queryNode<{ n: number }>(
      fixture.cluster,
      1,
      db,
      "SELECT COUNT(*) AS n FROM leases WHERE resource_uuid LIKE 'isolate-%'",
    );
    const ambiguous = Number(n) - booked.length;
    expect(ambiguous).toBeGreaterThanOrEqual(0);
    expect(ambiguous).toBeLessThanOrEqual(failedC.filter((s) => s.kind === 'book').length);
    const checksums = await checksumsPerNode(fixture.cluster, db);
    expect(new Set(checksums).size).toBe(1);

    const firstFailure = Math.min(...failedC.map((s) => s.at));
    const slowest = (p: 'A' | 'C', ph: Phase) =>
      Math.max(
        0,
        ...of(p)
          .filter((s) => s.phase === ph)
          .map((s) => s.at - s.sentAt),
      );
    recordRow({
      scenario: 'Galera node cut off from the majority under load',
      load: `2 API processes (A node 1 first, C node 3 first), ${WORKERS} clients each booking + reading back, ${samples.length} requests`,
      faults: `node ${ISOLATED} isolated (gmcast.isolate=1; non-Primary after ${(nonPrimaryMs / 1000).toFixed(1)} s), kept out ${ISOLATED_MS / 1000} s more, let back (Synced in a cluster of 3 after ${(rejoinMs / 1000).toFixed(1)} s)`,
      result:
        `A: ${of('A').length}/${of('A').length} 2xx, slowest ${slowest('A', 'isolated')} ms while node 3 was cut off; ` +
        `C: ${failedC.length} × 503 over ${((lastFailure - firstFailure) / 1000).toFixed(1)} s (from ${((firstFailure - isolatedAt) / 1000).toFixed(1)} s after the isolation), 0 × 500, then 2xx while node 3 was still out; ` +
        `${booked.length} bookings all on 3 nodes, ${ambiguous} committed despite a 503; checksums equal`,
    });
  }, 300_000);
});

import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, TestDatabase, testDatabaseKinds } from '../helpers/test-databases';
import { freePort, waitForHttp } from '../support/child-http';
import { writeLocalConf } from '../support/local-conf';
import { headersFor, P, Persona, PROJECT_ENTRIES } from '../support/projects';
import { snapshotPackage } from './support/package-snapshot';
import { audit } from './support/race-audit';
import { printSummary, recordRow } from './support/summary';

/**
 * Replicas: two API processes (`bin/esi-leap.js --role=api`, each its own connection pool)
 * on one MariaDB database, with dummy nodes in a shared directory. 500 concurrent conflicting
 * claims and direct leases on 10 resources (5 offers, 5 nodes leased directly), sent
 * alternately to both processes; then offer creation, lease extensions, cancels and offer
 * deletes, each raced by the bookings it conflicts with.
 */
const REQUESTS = 500;
const OFFERS = 5;
const DIRECT_NODES = 5;
const OCCUPYING = ['created', 'active', 'wait fulfill', 'wait expire', 'wait cancel', 'error'];
const OWNED = JSON.stringify({ project_owner_id: P.owner, resource_class: 'baremetal' });

/** Deterministic pseudo-random windows inside January 2030, so conflicts are dense but several bookings can win. */
function windowFor(i: number): { start_time: string; end_time: string } {
  const startDay = 1 + ((i * 7) % 20);
  const length = 1 + ((i * 13) % 4);
  const day = (d: number) => `2030-01-${String(d).padStart(2, '0')}`;
  return { start_time: day(startDay), end_time: day(startDay + length) };
}

const kinds = testDatabaseKinds().filter((k) => k === 'mariadb');
(kinds.length ? describe : describe.skip)('two API processes on one MariaDB database', () => {
  let db: TestDatabase;
  let dir: string;
  let nodeDir: string;
  let urls: string[];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('mariadb');
    dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-replicas-'));
    nodeDir = path.join(dir, 'nodes');
    mkdirSync(nodeDir);
    for (let i = 0; i < OFFERS; i++) writeFileSync(path.join(nodeDir, `replica-offer-${i}`), OWNED);
    for (let i = 0; i < DIRECT_NODES; i++) writeFileSync(path.join(nodeDir, `replica-direct-${i}`), OWNED);
    const conf = path.join(dir, 'esi-leap.conf');
    writeLocalConf(
      conf,
      { connection: db.connection, nodeDir },
      {
        api: { host_ip: '127.0.0.1', default_resource_type: 'dummy_node' },
        noauth: { project_id: P.admin, projects: PROJECT_ENTRIES.join(',') },
        // Fifty bookings queue for each node on a machine the rest of the suite keeps busy: this
        // test is about what gets booked, not how long a queue may be (lock-waits covers that).
        database: { lock_wait_timeout: 60 },
      },
    );
    const pkg = snapshotPackage(path.join(dir, 'package'));
    urls = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const output: string[] = [];
      const child = spawn(process.execPath, [path.join(pkg, 'bin', 'esi-leap.js'), '--role=api', '--config-file', conf], {
        cwd: dir,
        env: { ...process.env, HOME: dir, ESI_LEAP__API__PORT: String(port) },
      });
      child.stdout!.on('data', (d) => output.push(String(d)));
      child.stderr!.on('data', (d) => output.push(String(d)));
      children.push(child);
      urls.push(`http://127.0.0.1:${port}`);
      await waitForHttp(`${urls[i]}/`, child, () => output.join(''), 60_000);
    }
  }, 240_000);

  afterAll(async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    printSummary();
  });

  async function send(replica: number, method: string, path: string, persona: Persona, body?: unknown) {
    const res = await fetch(`${urls[replica % 2]}${path}`, {
      method,
      headers: { ...headersFor(persona), 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }
  const post = (replica: number, path: string, persona: Persona, body: unknown) =>
    send(replica, 'POST', path, persona, body);

  it(`${REQUESTS} concurrent conflicting bookings: no overlap in the database, every loser a 409`, async () => {
    const offers: string[] = [];
    for (let i = 0; i < OFFERS; i++) {
      const offer = await post(i, '/v1/offers', 'owner', {
        resource_uuid: `replica-offer-${i}`,
        start_time: '2030-01-01',
        end_time: '2030-02-01',
      });
      expect(offer.status).toBe(201);
      offers.push(offer.body.uuid);
    }

    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => {
        const window = windowFor(i);
        const kind = i % 2 === 0 ? 'claim' : 'direct';
        const target = Math.floor(i / 2) % (kind === 'claim' ? OFFERS : DIRECT_NODES);
        const sent =
          kind === 'claim'
            ? post(i >> 1, `/v1/offers/${offers[target]}/claim`, 'lessee', window)
            : post(i >> 1, '/v1/leases', 'owner', {
                resource_uuid: `replica-direct-${target}`,
                project_id: P.lessee,
                ...window,
              });
        return sent.then((res) => ({ ...res, kind, target, window, replica: (i >> 1) % 2 }));
      }),
    );
    const seconds = (Date.now() - started) / 1000;

    const byStatus: Record<number, number> = {};
    for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    expect(Object.keys(byStatus).sort()).toEqual(['201', '409']);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body.faultcode).toBe('Client');
      if (r.kind === 'claim') {
        expect(r.body.faultstring).toMatch(
          new RegExp(`^Offer ${offers[r.target]} has no availabilities at given time range `),
        );
      } else {
        expect(r.body.faultstring).toBe(`Time conflict for dummy_node replica-direct-${r.target}.`);
      }
    }

    const occupying = OCCUPYING.map((s) => `'${s}'`).join(', ');
    const overlapping = await db.dataSource.query(
      `SELECT COUNT(*) AS n FROM leases x JOIN leases y ON x.id < y.id
         AND x.resource_type = y.resource_type AND x.resource_uuid = y.resource_uuid
         AND x.start_time < y.end_time AND x.end_time > y.start_time
       WHERE x.status IN (${occupying}) AND y.status IN (${occupying})`,
    );
    expect(Number(overlapping[0].n)).toBe(0);
    const stored = await db.dataSource.query(`SELECT uuid FROM leases WHERE status IN (${occupying})`);
    const won = results.filter((r) => r.status === 201).map((r) => r.body.uuid as string);
    expect(new Set(stored.map((r: { uuid: string }) => r.uuid))).toEqual(new Set(won));
    const perResource = await db.dataSource.query(
      `SELECT resource_uuid, COUNT(*) AS n FROM leases GROUP BY resource_uuid`,
    );
    expect(perResource).toHaveLength(OFFERS + DIRECT_NODES);

    // Both processes answered, and both won bookings: the race really spanned the two processes.
    const winsPerReplica = [0, 1].map((r) => results.filter((x) => x.replica === r && x.status === 201).length);
    expect(results.filter((x) => x.replica === 0)).toHaveLength(REQUESTS / 2);
    expect(winsPerReplica.every((n) => n > 0)).toBe(true);

    recordRow({
      scenario: 'concurrency across 2 API processes (MariaDB)',
      load: `${REQUESTS} concurrent claims + direct leases on ${OFFERS + DIRECT_NODES} resources, 2 esi-leap --role=api processes, ${seconds.toFixed(1)} s`,
      faults: 'overlapping windows, racing replicas',
      result: `201: ${byStatus[201]} (process A ${winsPerReplica[0]}, B ${winsPerReplica[1]}), 409: ${byStatus[409]}, other: 0; overlapping occupying leases in DB: 0`,
    });
  });

  it('offer creation, extensions, cancels and offer deletes racing bookings: one winner per window, no overlap', async () => {
    const RIVALS = 6;
    const PER_GROUP = 6;
    const nodes = (group: string) =>
      Array.from({ length: PER_GROUP }, (_, i) => {
        const name = `replica-mix-${group}-${i}`;
        writeFileSync(path.join(nodeDir, name), OWNED);
        return name;
      });
    const offerNodes = nodes('offer');
    const extendNodes = nodes('extend');
    const cancelNodes = nodes('cancel');
    const deleteNodes = nodes('delete');
    const direct = (node: string, start: string, end: string) => ({
      resource_uuid: node,
      project_id: P.lessee,
      start_time: start,
      end_time: end,
    });
    const setUp = async (answers: Promise<{ status: number; body: Record<string, any> }>[]) =>
      (await Promise.all(answers)).map((a) => {
        expect(a.status).toBe(201);
        return a.body.uuid as string;
      });
    const toExtend = await setUp(
      extendNodes.map((n, i) => post(i, '/v1/leases', 'owner', direct(n, '2030-03-01', '2030-03-05'))),
    );
    const toCancel = await setUp(
      cancelNodes.map((n, i) => post(i, '/v1/leases', 'owner', direct(n, '2030-03-01', '2030-03-10'))),
    );
    const toDelete = await setUp(
      deleteNodes.map((n, i) =>
        post(i, '/v1/offers', 'owner', { resource_uuid: n, start_time: '2030-03-01', end_time: '2030-04-01' }),
      ),
    );

    // Every request at once, alternating between the processes; `group` names the window its rivals compete for.
    const jobs: Array<{ group: string; kind: string; answer: Promise<{ status: number; body: Record<string, any> }> }> =
      [];
    let replica = 0;
    const add = (group: string, kind: string, method: string, url: string, persona: Persona, body?: unknown) =>
      jobs.push({ group, kind, answer: send(replica++, method, url, persona, body) });
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    offerNodes.forEach((node) => {
      // Four one-week slots in April; the rivals of a slot all cover its middle day, so they overlap pairwise.
      for (let slot = 0; slot < 4; slot++) {
        const middle = Date.UTC(2030, 3, 4 + 7 * slot);
        for (let r = 0; r < RIVALS; r++) {
          const [before, after] = [1 + (r % 3), 1 + ((r + 1) % 3)].map((d) => d * 86_400_000);
          add(`offers ${node} #${slot}`, 'offer', 'POST', '/v1/offers', 'owner', {
            resource_uuid: node,
            start_time: day(middle - before),
            end_time: day(middle + after),
          });
        }
      }
    });
    // The invalidating request goes at a random place among its rivals (or after them all).
    const place = () => Math.floor(Math.random() * (RIVALS + 1));
    extendNodes.forEach((node, i) => {
      const at = place();
      for (let r = 0; r <= RIVALS; r++) {
        if (r === at)
          add(`extend ${node}`, 'patch', 'PATCH', `/v1/leases/${toExtend[i]}`, 'admin', {
            end_time: '2030-03-09T00:00:00',
          });
        if (r < RIVALS)
          add(`extend ${node}`, 'lease', 'POST', '/v1/leases', 'owner', direct(node, '2030-03-05', '2030-03-09'));
      }
    });
    cancelNodes.forEach((node, i) => {
      const at = place();
      for (let r = 0; r <= RIVALS; r++) {
        if (r === at) add(`cancel ${node}`, 'cancel', 'DELETE', `/v1/leases/${toCancel[i]}`, 'lessee');
        if (r < RIVALS)
          add(`cancel ${node}`, 'lease', 'POST', '/v1/leases', 'owner', direct(node, '2030-03-02', '2030-03-04'));
      }
    });
    deleteNodes.forEach((node, i) => {
      const at = place();
      for (let r = 0; r <= RIVALS; r++) {
        if (r === at) add(`delete ${node}`, 'delete', 'DELETE', `/v1/offers/${toDelete[i]}`, 'owner');
        if (r === RIVALS) continue;
        add(`delete ${node}`, 'claim', 'POST', `/v1/offers/${toDelete[i]}/claim`, 'lessee', {
          start_time: `2030-03-0${1 + r}`,
          end_time: `2030-03-0${2 + r}`,
        });
        add(`delete ${node}`, 'offer', 'POST', '/v1/offers', 'owner', {
          resource_uuid: node,
          start_time: '2030-03-10',
          end_time: '2030-03-20',
        });
      }
    });
    const started = Date.now();
    const results = await Promise.all(jobs.map(async (j) => ({ ...j, ...(await j.answer) })));
    const seconds = (Date.now() - started) / 1000;

    const found = await audit(db.dataSource, nodeDir, 'replica-mix');
    const winners = new Map<string, number>();
    for (const r of results) {
      const won =
        (r.kind === 'patch' && r.status === 200) || ((r.kind === 'offer' || r.kind === 'lease') && r.status === 201);
      winners.set(r.group, (winners.get(r.group) ?? 0) + (won ? 1 : 0));
    }
    const tally = (prefix: string) => [...winners].filter(([g]) => g.startsWith(prefix)).map(([, n]) => n);
    const free = [...tally('offers '), ...tally('extend ')];
    const freed = [...tally('cancel '), ...tally('delete ')];
    const count = (kind: string, status: number) =>
      results.filter((r) => r.kind === kind && r.status === status).length;
    recordRow({
      scenario: 'offer creation, PATCH, cancels, offer deletes across 2 API processes (MariaDB)',
      load: `${results.length} concurrent requests on ${4 * PER_GROUP} nodes, 2 esi-leap --role=api processes, ${seconds.toFixed(1)} s`,
      faults:
        'rival offers per window, extension vs booking, cancel vs re-booking, offer delete vs claims and new offers',
      result:
        `offers 201: ${count('offer', 201)} / 409: ${count('offer', 409)}; extensions 200: ${count('patch', 200)} / 409: ${count('patch', 409)}; ` +
        `direct leases 201: ${count('lease', 201)}; claims 201: ${count('claim', 201)}; ` +
        `free windows with exactly one winner: ${free.filter((n) => n === 1).length}/${free.length}, freed windows with at most one: ${freed.filter((n) => n <= 1).length}/${freed.length}; ` +
        `overlapping bookings in DB: ${found.leaseOverlaps + found.offerOverlaps}; live leases on deleted offers: ${found.orphans.length}`,
    });

    const allowed: Record<string, number[]> = {
      offer: [201, 409],
      patch: [200, 409],
      lease: [201, 409],
      cancel: [200],
      delete: [200],
      claim: [201, 404, 409],
    };
    expect(
      results
        .filter((r) => !allowed[r.kind].includes(r.status))
        .map((r) => `${r.group} ${r.kind}: ${r.status} ${JSON.stringify(r.body)}`),
    ).toEqual([]);
    for (const r of results.filter((x) => x.kind === 'offer' && x.status === 409)) {
      expect(r.body.faultstring).toMatch(/^Time conflict for dummy_node replica-mix-(offer|delete)-\d\.$/);
    }
    // A free window has exactly one winner; a window freed meanwhile by a cancel or delete at most one.
    expect(new Set(free)).toEqual(new Set([1]));
    expect(Math.max(...freed)).toBeLessThanOrEqual(1);
    expect({
      'overlapping leases': found.leaseOverlaps,
      'offers overlapping an offer or lease': found.offerOverlaps,
      // A claim that slips in while its offer is being deleted must not survive it.
      'live leases on a deleted offer': found.orphans.map((o) => o.uuid),
    }).toEqual({
      'overlapping leases': 0,
      'offers overlapping an offer or lease': 0,
      'live leases on a deleted offer': [],
    });
  });
});

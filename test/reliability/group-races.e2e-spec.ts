import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase, testDatabaseKinds } from '../helpers/test-databases';
import { freePort, waitForHttp } from '../support/child-http';
import { writeLocalConf } from '../support/local-conf';
import { headersFor, P, Persona, PROJECT_ENTRIES } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';
import { snapshotPackage } from './support/package-snapshot';
import { printSummary, recordRow } from './support/summary';

/**
 * Lease groups under contention: 200 concurrent `count=4` requests over 12 offered nodes and a
 * few overlapping windows, far more than the pool holds. Every answer must be a whole group of
 * 4 leases (201) or a 409; afterwards SQL finds no partial group, no lease outside a group and
 * no two occupying leases overlapping on a node. On MariaDB the requests alternate between two
 * API processes (`bin/esi-leap.js --role=api`, each its own pool); on SQLite one in-process app.
 */
const REQUESTS = 200;
const GROUP = 4;
const NODES = 12;
const OCCUPYING = ['created', 'active', 'wait fulfill', 'wait expire', 'wait cancel', 'error'];
const OWNED = JSON.stringify({ project_owner_id: P.owner, resource_class: 'baremetal' });
const WINDOWS = [
  ['2030-01-01T00:00:00', '2030-01-03T00:00:00'],
  ['2030-01-02T00:00:00', '2030-01-04T00:00:00'],
  ['2030-01-03T00:00:00', '2030-01-05T00:00:00'],
  ['2030-01-10T00:00:00', '2030-01-12T00:00:00'],
  ['2030-01-11T00:00:00', '2030-01-13T00:00:00'],
] as const;
const LESSEES: readonly Persona[] = ['lessee', 'otherLessee', 'childLessee'];

type Answer = { status: number; body: Record<string, any>; replica: number };

/** Offers on every node, then the 200 racing requests; returns the answers. */
async function race(send: (i: number, method: string, path: string, persona: Persona, body?: unknown) => Promise<Answer>) {
  for (let i = 0; i < NODES; i++) {
    const offer = await send(i, 'POST', '/v1/offers', 'owner', {
      resource_uuid: `group-race-${i}`,
      start_time: '2030-01-01',
      end_time: '2030-02-01',
    });
    expect(offer.status).toBe(201);
  }
  const started = Date.now();
  const answers = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) => {
      const [start_time, end_time] = WINDOWS[i % WINDOWS.length];
      return send(i, 'POST', '/v1/lease_groups', LESSEES[i % LESSEES.length], {
        count: GROUP,
        resource_class: 'baremetal',
        start_time,
        end_time,
      });
    }),
  );
  return { answers, seconds: (Date.now() - started) / 1000 };
}

/** The answers and the database agree: whole groups or 409s, nothing partial, nothing overlapping. */
async function audit(answers: readonly Answer[], query: DataSource['query']) {
  const byStatus: Record<number, number> = {};
  for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
  expect(Object.keys(byStatus).filter((s) => s !== '201' && s !== '409')).toEqual([]);
  const won = answers.filter((a) => a.status === 201);
  for (const a of won) {
    expect(a.body.count).toBe(GROUP);
    expect(a.body.leases).toHaveLength(GROUP);
    expect(new Set(a.body.leases.map((l: any) => l.resource_uuid)).size).toBe(GROUP);
  }
  for (const a of answers.filter((x) => x.status === 409)) {
    expect(a.body.faultcode).toBe('Client');
    // Either the selection found too few free (with its facts), or every attempt lost its picks.
    if (!a.body.capacity) expect(a.body.faultstring).toMatch(/^Could not book 4 leases: other bookings took/);
  }

  const groups = await query(
    `SELECT g.uuid, g.count, COUNT(m.lease_uuid) AS members FROM lease_groups g
       LEFT JOIN lease_group_members m ON m.group_uuid = g.uuid GROUP BY g.uuid, g.count`,
  );
  expect(new Set(groups.map((g: any) => g.uuid))).toEqual(new Set(won.map((a) => a.body.uuid)));
  const partial = groups.filter((g: any) => Number(g.count) !== GROUP || Number(g.members) !== GROUP);
  expect(partial).toEqual([]);
  const outside = await query(
    `SELECT COUNT(*) AS n FROM leases l LEFT JOIN lease_group_members m ON m.lease_uuid = l.uuid WHERE m.lease_uuid IS NULL`,
  );
  expect(Number(outside[0].n)).toBe(0);
  const occupying = OCCUPYING.map((s) => `'${s}'`).join(', ');
  const overlapping = await query(
    `SELECT COUNT(*) AS n FROM leases x JOIN leases y ON x.id < y.id
       AND x.resource_type = y.resource_type AND x.resource_uuid = y.resource_uuid
       AND x.start_time < y.end_time AND x.end_time > y.start_time
     WHERE x.status IN (${occupying}) AND y.status IN (${occupying})`,
  );
  expect(Number(overlapping[0].n)).toBe(0);
  const leases = await query(`SELECT COUNT(*) AS n FROM leases`);
  expect(Number(leases[0].n)).toBe(won.length * GROUP);
  const contended = answers.filter((a) => a.status === 409 && !a.body.capacity).length;
  return {
    won: won.length,
    refused: byStatus[409] ?? 0,
    contended,
    partial: partial.length,
    overlapping: Number(overlapping[0].n),
  };
}

const mariadb = testDatabaseKinds().includes('mariadb');
(mariadb ? describe : describe.skip)('lease groups raced across two API processes on one MariaDB database', () => {
  let db: TestDatabase;
  let dir: string;
  const urls: string[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('mariadb');
    dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-group-races-'));
    const nodeDir = path.join(dir, 'nodes');
    mkdirSync(nodeDir);
    for (let i = 0; i < NODES; i++) writeFileSync(path.join(nodeDir, `group-race-${i}`), OWNED);
    const conf = path.join(dir, 'esi-leap.conf');
    writeLocalConf(
      conf,
      { connection: db.connection, nodeDir },
      {
        api: { host_ip: '127.0.0.1', default_resource_type: 'dummy_node' },
        noauth: { project_id: P.admin, projects: PROJECT_ENTRIES.join(',') },
        // Every request locks 4 of the same 12 nodes: a queue of ~100 per process on a busy
        // machine. This test is about what gets booked, not how long a queue may be.
        database: { lock_wait_timeout: 120 },
      },
    );
    const pkg = snapshotPackage(path.join(dir, 'package'));
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
  }, 300_000);

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

  it(`${REQUESTS} concurrent count=${GROUP} requests: whole groups or 409, no partial group, no overlap`, async () => {
    const send = async (i: number, method: string, p: string, persona: Persona, body?: unknown): Promise<Answer> => {
      const res = await fetch(`${urls[i % 2]}${p}`, {
        method,
        headers: { ...headersFor(persona), 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any>, replica: i % 2 };
    };
    const { answers, seconds } = await race(send);
    const result = await audit(answers, (sql: string) => db.dataSource.query(sql));
    const winsPerReplica = [0, 1].map((r) => answers.filter((a) => a.replica === r && a.status === 201).length);
    expect(answers.filter((a) => a.replica === 0)).toHaveLength(REQUESTS / 2);
    expect(result.won).toBeGreaterThan(0);
    recordRow({
      scenario: 'lease groups across 2 API processes (MariaDB)',
      load: `${REQUESTS} concurrent count=${GROUP} group requests over ${NODES} offered nodes and ${WINDOWS.length} overlapping windows, 2 esi-leap --role=api processes, ${seconds.toFixed(1)} s`,
      faults: 'racing groups over the same nodes, racing replicas',
      result: `201: ${result.won} (process A ${winsPerReplica[0]}, B ${winsPerReplica[1]}), each exactly ${GROUP} leases; 409: ${result.refused} (${result.contended} after losing every attempt to concurrent bookings), other: 0; partial groups in DB: ${result.partial}; overlapping occupying leases: ${result.overlapping}`,
    });
  }, 300_000);
});

const sqlite = testDatabaseKinds().includes('sqlite');
(sqlite ? describe : describe.skip)('lease groups raced in one API process on SQLite', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ kind: 'sqlite', conf: '[database]\nlock_wait_timeout = 120' });
    for (let i = 0; i < NODES; i++) t.nodes.add(`group-race-${i}`, { owner: P.owner, resourceClass: 'baremetal' });
  });
  afterAll(async () => {
    await t?.close();
    printSummary();
  });

  it(`${REQUESTS} concurrent count=${GROUP} requests: whole groups or 409, no partial group, no overlap`, async () => {
    const base = await t.url();
    const send = async (_i: number, method: string, p: string, persona: Persona, body?: unknown): Promise<Answer> => {
      const res = await fetch(`${base}${p}`, {
        method,
        headers: { ...headersFor(persona), 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any>, replica: 0 };
    };
    const { answers, seconds } = await race(send);
    const result = await audit(answers, (sql: string) => t.dataSource.query(sql));
    expect(result.won).toBeGreaterThan(0);
    recordRow({
      scenario: 'lease groups in 1 API process (SQLite)',
      load: `${REQUESTS} concurrent count=${GROUP} group requests over ${NODES} offered nodes and ${WINDOWS.length} overlapping windows, ${seconds.toFixed(1)} s`,
      faults: 'racing groups over the same nodes',
      result: `201: ${result.won}, each exactly ${GROUP} leases; 409: ${result.refused} (${result.contended} after losing every attempt to concurrent bookings), other: 0; partial groups in DB: ${result.partial}; overlapping occupying leases: ${result.overlapping}`,
    });
  }, 300_000);
});

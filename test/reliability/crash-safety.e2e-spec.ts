import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, TestDatabase, TestDatabaseKind, testDatabaseKinds } from '../helpers/test-databases';
import { writeLocalConf } from '../support/local-conf';
import { P } from '../support/projects';
import { snapshotPackage } from './support/package-snapshot';
import { printSummary, recordRow } from './support/summary';

/**
 * Issue 11.2: a real manager process (`bin/esi-leap.js --role=manager`, dummy_node driver with
 * its files in a temp dir, SQLite; MariaDB on request) is killed with SIGKILL at random moments while it fulfils
 * and expires 1,000 leases, and restarted, at least KILLS times; then one last run finishes the
 * work. Afterwards:
 * - every lease is in the state its times demand (active / expired / still created);
 * - every dummy node file agrees with its lease (holds the lease and lessee iff it is active);
 * - the events table holds exactly one start and one end event per transition that completed,
 *   no error event, and nothing for transitions that never completed.
 *
 * "Lost" and "duplicated" for an interrupted transition: a transition is one database
 * transaction (start event, node change, end event, status), so a kill before the commit
 * leaves no event and the old status, while the node file may already have been changed (the
 * driver writes outside the transaction). The restarted manager sees the lease still due and
 * runs the whole transition again: the node write is idempotent and the events are written
 * once, by the run that commits. Nothing is lost (every due transition is eventually recorded
 * with its start/end pair) and nothing is doubled (the killed attempt left no events). The test
 * counts how often a kill caught a node file ahead of the database ("torn" states) to show
 * that kills did land mid-transition.
 */
const LEASES = 1000;
const ACTIVE_AT_END = 400; // 4 in 10: started an hour ago, end tomorrow
const FUTURE = 100; // 1 in 10: start tomorrow
const EXPIRING = LEASES - ACTIVE_AT_END - FUTURE; // 5 in 10: started an hour ago, end during the kill loop
const KILLS = Number(process.env.ESI_LEAP_CRASH_KILLS ?? 20);
const EXPIRY_SPREAD_S = 15;
const LOOP_LIMIT_MS = 90_000;
const FINAL_RUN_LIMIT_MS = 60_000;

function utc(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '000');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Manager {
  child: ChildProcess;
  output: string[];
  started: Promise<void>;
  exited: Promise<number | string | null>;
}

/**
 * SQLite by default (the suite's time budget); `ESI_LEAP_CRASH_DATABASES=sqlite,mariadb` adds
 * the MariaDB run (kept within ESI_LEAP_TEST_DATABASES).
 */
const CRASH_KINDS = (process.env.ESI_LEAP_CRASH_DATABASES ?? 'sqlite')
  .split(',')
  .map((k) => k.trim())
  .filter((k): k is TestDatabaseKind => (k === 'sqlite' || k === 'mariadb') && testDatabaseKinds().includes(k));

(CRASH_KINDS.length ? describe.each(CRASH_KINDS) : describe.skip.each<TestDatabaseKind>(['sqlite']))(
  'manager crash safety (SIGKILL, %s)',
  (kind) => {
    let db: TestDatabase;
    let dir: string;
    let nodeDir: string;
    let conf: string;
    let pkg: string;
    const live = new Set<ChildProcess>();

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-crash-'));
      pkg = snapshotPackage(path.join(dir, 'pkg'));
      db = await createTestDatabase(kind);
      nodeDir = path.join(dir, 'nodes');
      mkdirSync(nodeDir);
      conf = path.join(dir, 'esi-leap.conf');
      writeLocalConf(
        conf,
        { connection: db.connection, nodeDir },
        {
          DEFAULT: { host: 'crash-test', log_level: 'info' },
          manager: {
            sweep_interval: 1,
            batch_size: 100,
            // A kill is not a driver failure; any error event would be a finding.
            max_attempts: 50,
            retry_backoff_base: 0.1,
            retry_backoff_max: 0.5,
          },
        },
      );
    }, 300_000);

    afterAll(async () => {
      for (const child of live) child.kill('SIGKILL');
      await db?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
      printSummary();
    });

    function startManager(): Manager {
      const child = spawn(
        process.execPath,
        [path.join(pkg, 'bin', 'esi-leap.js'), '--role=manager', '--config-file', conf],
        {
          cwd: dir,
          env: { ...process.env, ESI_LEAP_DEBUG: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      live.add(child);
      const output: string[] = [];
      let resolveStarted: () => void;
      const started = new Promise<void>((resolve) => (resolveStarted = resolve));
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        if (output.length < 200) output.push(text);
        // Logged once the process is up and its SIGTERM handler installed.
        if (text.includes('running (role manager)')) resolveStarted();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      const exited = new Promise<number | string | null>((resolve) =>
        child.once('exit', (code, signal) => {
          live.delete(child);
          resolveStarted();
          resolve(code ?? signal);
        }),
      );
      return { child, output, started, exited };
    }

    interface LeaseRow {
      uuid: string;
      resource_uuid: string;
      status: string;
      kind: 'active' | 'expiring' | 'future';
    }

    function nodeFile(uuid: string): Record<string, unknown> {
      return JSON.parse(readFileSync(path.join(nodeDir, uuid), 'utf8')) as Record<string, unknown>;
    }

    /** Nodes whose file disagrees with the status of its lease in the database. */
    async function tornNodes(): Promise<number> {
      const rows: Array<{ uuid: string; resource_uuid: string; status: string }> = await db.dataSource.query(
        'SELECT uuid, resource_uuid, status FROM leases',
      );
      return rows.filter((r) => (nodeFile(r.resource_uuid).lease_uuid === r.uuid) !== (r.status === 'active')).length;
    }

    it(`${LEASES} leases, a manager killed at random ${KILLS}+ times: final states, node files and events agree`, async () => {
      const t0 = Date.now();
      const leases: LeaseRow[] = [];
      const rows: unknown[][] = [];
      let lastEnd = t0;
      for (let i = 0; i < LEASES; i++) {
        // Interleaved, so that the manager meets every kind in every batch.
        const slot = i % 10;
        const kind = slot < 4 ? 'active' : slot === 4 ? 'future' : 'expiring';
        const node = `crash-node-${i}`;
        writeFileSync(path.join(nodeDir, node), JSON.stringify({ project_owner_id: P.owner, resource_class: 'fake' }));
        const start = kind === 'future' ? t0 + 86_400_000 : t0 - 3_600_000;
        const end =
          kind === 'active'
            ? t0 + 86_400_000
            : kind === 'future'
              ? t0 + 2 * 86_400_000
              : t0 + 2_000 + Math.floor(Math.random() * EXPIRY_SPREAD_S * 1000);
        if (kind === 'expiring') lastEnd = Math.max(lastEnd, end);
        const uuid = randomUUID();
        leases.push({ uuid, resource_uuid: node, status: '', kind });
        rows.push([uuid, P.lessee, P.owner, 'dummy_node', node, utc(start), utc(end), 'created', '{}']);
      }
      for (let i = 0; i < rows.length; i += 100) {
        const chunk = rows.slice(i, i + 100);
        await db.dataSource.query(
          `INSERT INTO leases (uuid, project_id, owner_id, resource_type, resource_uuid, start_time, end_time, status, properties) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          chunk.flat(),
        );
      }

      // The kill loop: start, wait until the manager is up, let it work 0–0.7 s, SIGKILL.
      let kills = 0;
      let torn = 0;
      let tornSamples = 0;
      const progress: number[] = [];
      const loopStarted = Date.now();
      while ((kills < KILLS || Date.now() < lastEnd + 1_000) && Date.now() - loopStarted < LOOP_LIMIT_MS) {
        const manager = startManager();
        await Promise.race([manager.started, sleep(20_000)]);
        await sleep(Math.floor(Math.random() * 700));
        manager.child.kill('SIGKILL');
        await manager.exited;
        kills += 1;
        const n = await tornNodes();
        torn += n;
        if (n > 0) tornSamples += 1;
        const [{ n: done }] = await db.dataSource.query("SELECT COUNT(*) AS n FROM leases WHERE status <> 'created'");
        progress.push(Number(done));
      }
      expect(kills).toBeGreaterThanOrEqual(KILLS);
      expect(Date.now()).toBeGreaterThan(lastEnd);

      // The last run finishes the work; then a clean shutdown.
      const expected = new Map(
        leases.map((l) => [l.uuid, l.kind === 'active' ? 'active' : l.kind === 'future' ? 'created' : 'expired']),
      );
      const final = startManager();
      await Promise.race([final.started, sleep(20_000)]);
      const finalStarted = Date.now();
      let settled = false;
      while (!settled && Date.now() - finalStarted < FINAL_RUN_LIMIT_MS) {
        await sleep(250);
        const current: Array<{ uuid: string; status: string }> = await db.dataSource.query(
          'SELECT uuid, status FROM leases',
        );
        settled = current.every((r) => expected.get(r.uuid) === r.status);
      }
      final.child.kill('SIGTERM');
      const exitCode = await Promise.race([final.exited, sleep(15_000).then(() => 'hung')]);
      if (exitCode === 'hung') final.child.kill('SIGKILL');
      if (!settled) process.stdout.write(`[crash] final manager output:\n${final.output.join('').slice(0, 4000)}\n`);
      expect(settled).toBe(true);
      expect(exitCode).toBe(0);

      // 1. States.
      const stored: Array<{ uuid: string; status: string }> = await db.dataSource.query(
        'SELECT uuid, status FROM leases',
      );
      expect(stored.filter((r) => expected.get(r.uuid) !== r.status)).toEqual([]);

      // 2. Node files.
      const disagreeing = leases.filter((l) => {
        const file = nodeFile(l.resource_uuid);
        return l.kind === 'active'
          ? file.lease_uuid !== l.uuid || file.project_id !== P.lessee
          : 'lease_uuid' in file || 'project_id' in file;
      });
      expect(disagreeing.map((l) => l.resource_uuid)).toEqual([]);

      // 3. Events: one start/end pair per completed transition, nothing else.
      const counts: Array<Record<string, string | number>> = await db.dataSource.query(
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
      const [{ n: events }] = await db.dataSource.query('SELECT COUNT(*) AS n FROM events');

      const seconds = ((Date.now() - t0) / 1000).toFixed(0);
      process.stdout.write(`[crash] leases done after each kill: ${progress.join(' ')}\n`);
      recordRow({
        scenario: `manager crash safety (${kind}, dummy_node files)`,
        load: `${LEASES} leases (${ACTIVE_AT_END} to fulfil, ${EXPIRING} to expire, ${FUTURE} future), ${seconds} s`,
        faults: `${kills} x SIGKILL at random moments, ${tornSamples} kills caught ${torn} node files ahead of the DB`,
        result: `all states as their times demand; 0 node files disagree; ${events} events = one start/end pair per transition (${fulfilledThenExpired} fulfilled then expired); 0 lost, 0 duplicated`,
      });
    }, 240_000);
  },
);

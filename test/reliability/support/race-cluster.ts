import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, TestDatabase, TestDatabaseKind } from '../../helpers/test-databases';
import { freePort, waitForHttp } from '../../support/child-http';
import { ConfSections, writeLocalConf } from '../../support/local-conf';
import { headersFor, P, Persona, PROJECT_ENTRIES } from '../../support/projects';
import { snapshotPackage } from './package-snapshot';

/** One HTTP exchange as the client saw it: wall-clock times in ms, so they compare with the database's. */
export interface Answer {
  status: number;
  body: Record<string, any> | null;
  sentAt: number;
  answeredAt: number;
  replica: number;
}

/**
 * The parent's lessee acting as a sub-lessor: sub-leases and sub-offers are created under the
 * `esi_leap:lease:create` / `offer:create` rules, which ask for the owner role.
 */
const SUBLESSOR = { 'X-Project-Id': P.lessee, 'X-Roles': 'owner', 'X-User-Id': 'user-of-sublessor' };
export type Caller = Persona | 'sublessor';

/** Seconds between two manager runs: short, so that leases are fulfilled and orphans expired within the test. */
export const SWEEP_INTERVAL_S = 1;

/** What a scenario needs beyond the usual cluster: more options, and files beside esi-leap.conf. */
export interface ClusterExtras {
  readonly conf?: ConfSections;
  /** File name (relative to the configuration's directory) to contents. */
  readonly files?: Readonly<Record<string, string>>;
}

/** The last few KB a child wrote, for failure messages. */
class OutputTail {
  private text = '';
  constructor(child: ChildProcess) {
    const keep = (d: Buffer) => {
      this.text = (this.text + String(d)).slice(-8000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
  }
  toString(): string {
    return this.text;
  }
}

/**
 * Two API processes and one manager (`bin/esi-leap.js --role=api|manager`, from a private
 * copy of the built package) on one database, serving dummy nodes from one directory, so
 * every process and the test see the same node state. Requests alternate between the two
 * API processes by the caller's choice of `replica`.
 */
export class RaceCluster {
  private readonly children: ChildProcess[] = [];
  private readonly outputs: OutputTail[] = [];
  readonly urls: string[] = [];
  private nodeCount = 0;

  private constructor(
    readonly db: TestDatabase,
    readonly dir: string,
    readonly nodeDir: string,
  ) {}

  static async start(kind: TestDatabaseKind, extras: ClusterExtras = {}): Promise<RaceCluster> {
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-races-'));
    let pkg: string;
    let db: TestDatabase;
    try {
      pkg = snapshotPackage(path.join(dir, 'package'));
      db = await createTestDatabase(kind);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const nodeDir = path.join(dir, 'nodes');
    mkdirSync(nodeDir);
    const cluster = new RaceCluster(db, dir, nodeDir);
    try {
      for (const [name, text] of Object.entries(extras.files ?? {})) writeFileSync(path.join(dir, name), text);
      await cluster.spawnAll(pkg, extras.conf ?? {});
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  private async spawnAll(pkg: string, extraConf: ConfSections): Promise<void> {
    const conf = path.join(this.dir, 'esi-leap.conf');
    writeLocalConf(
      conf,
      { connection: this.db.connection, nodeDir: this.nodeDir },
      {
        api: { host_ip: '127.0.0.1', default_resource_type: 'dummy_node' },
        noauth: { project_id: P.admin, projects: PROJECT_ENTRIES.join(',') },
        manager: { sweep_interval: SWEEP_INTERVAL_S },
        // Dozens of requests queue for each of a few nodes, on a machine the rest of the suite
        // keeps busy: the races are about what gets booked, not about how long a queue may be
        // (test/reliability/lock-waits covers the bound), so the wait is long enough not to end
        // in a 503.
        database: { lock_wait_timeout: 60 },
        ...extraConf,
      },
    );
    const bin = path.join(pkg, 'bin', 'esi-leap.js');
    const spawnRole = (role: string, env: Record<string, string>) => {
      const child = spawn(process.execPath, [bin, `--role=${role}`, '--config-file', conf], {
        cwd: this.dir,
        env: { ...process.env, HOME: this.dir, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.children.push(child);
      const tail = new OutputTail(child);
      this.outputs.push(tail);
      return { child, tail };
    };
    const ports = [await freePort(), await freePort()];
    const apis = ports.map((port) => spawnRole('api', { ESI_LEAP__API__PORT: String(port) }));
    const manager = spawnRole('manager', {});
    for (let i = 0; i < apis.length; i++) {
      this.urls.push(`http://127.0.0.1:${ports[i]}`);
      await waitForHttp(`${this.urls[i]}/`, apis[i].child, () => apis[i].tail.toString(), 60_000);
    }
    const until = Date.now() + 60_000;
    while (!manager.tail.toString().includes('manager started')) {
      if (manager.child.exitCode !== null) throw new Error(`manager exited early:\n${manager.tail}`);
      if (Date.now() > until) throw new Error(`manager did not start:\n${manager.tail}`);
      await sleep(100);
    }
  }

  /** Output of every process, for a failing test's message. */
  output(): string {
    return this.outputs.map((o, i) => `--- process ${i} ---\n${o}`).join('\n');
  }

  /** Children that died during the test (none should). */
  exited(): number {
    return this.children.filter((c) => c.exitCode !== null || c.signalCode !== null).length;
  }

  /** New node files owned by P.owner, never used before in this cluster. */
  addNodes(prefix: string, count: number): string[] {
    const doc = JSON.stringify({ project_owner_id: P.owner, resource_class: 'baremetal' });
    return Array.from({ length: count }, () => {
      const name = `${prefix}-${this.nodeCount++}`;
      writeFileSync(path.join(this.nodeDir, name), doc);
      return name;
    });
  }

  async request(replica: number, method: string, url: string, caller: Caller, body?: unknown): Promise<Answer> {
    const sentAt = Date.now();
    const r = replica % this.urls.length;
    try {
      const res = await fetch(`${this.urls[r]}${url}`, {
        method,
        headers: { ...(caller === 'sublessor' ? SUBLESSOR : headersFor(caller)), 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: Record<string, any> | null = null;
      try {
        parsed = JSON.parse(text) as Record<string, any> | null;
      } catch {
        parsed = { raw: text };
      }
      return { status: res.status, body: parsed, sentAt, answeredAt: Date.now(), replica: r };
    } catch (err) {
      return { status: 0, body: { error: String(err) }, sentAt, answeredAt: Date.now(), replica: r };
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(killer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await this.db?.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An API datetime (ISO, UTC, milliseconds). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The only form `PATCH /v1/leases/{id}` accepts: `%Y-%m-%dT%H:%M:%S`, whole seconds. */
export function patchTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** A database time (naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`) as epoch ms. */
export function dbMs(value: unknown): number {
  return Date.parse(`${String(value).replace(' ', 'T').slice(0, 23)}Z`);
}

/** A time as the database stores it, for parameters compared with its columns. */
export function dbTime(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 23)}000`;
}

/** Whether an exchange was in flight at some moment of `[from, to]`. */
export function inFlightDuring(a: Answer, from: number, to: number): boolean {
  return a.sentAt <= to && a.answeredAt >= from;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

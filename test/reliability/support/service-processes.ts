import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, TestDatabase, TestDatabaseKind } from '../../helpers/test-databases';
import { freePort, waitForHttp } from '../../support/child-http';
import { ConfSections, writeLocalConf } from '../../support/local-conf';
import { headersFor, P, Persona, PROJECT_ENTRIES } from '../../support/projects';
import { snapshotPackage } from './package-snapshot';

/** A `bin/esi-leap.js` child process and what it wrote. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once the process logged that it runs (or when it exits). */
  readonly started: Promise<void>;
  /** The exit code, or the signal that ended it. */
  readonly exited: Promise<number | string | null>;
  /** The last few KB of its stdout and stderr. */
  output(): string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`'s value, or `fallback` after `ms` (the timer is cleared, so nothing lingers). */
export async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGTERM, then SIGKILL if the process has not exited within `ms`; its exit code, or 'hung'. */
export async function terminate(p: ServiceProcess, ms = 15_000): Promise<number | string | null> {
  p.child.kill('SIGTERM');
  const code = await within(p.exited, ms, 'hung' as const);
  if (code === 'hung') {
    // What it was doing when it would not stop: its last log lines.
    process.stdout.write(`[terminate] still running ${ms} ms after SIGTERM; its output:\n${p.output()}\n`);
    p.child.kill('SIGKILL');
  }
  return code;
}

/**
 * API and manager processes (`bin/esi-leap.js --role=…`, from a private copy of the build) on
 * one fresh database, serving dummy nodes from one directory: what several hosts of a
 * deployment share. The manager processes can be killed and started again at will.
 */
export class ServiceProcesses {
  private readonly live = new Set<ChildProcess>();
  private apiUrl: string | null = null;

  private constructor(
    readonly db: TestDatabase,
    readonly dir: string,
    readonly nodeDir: string,
    private readonly conf: string,
    private readonly pkg: string,
  ) {}

  /** `extra` options are merged over noauth, the dummy driver and the test projects. */
  static async create(kind: TestDatabaseKind, extra: ConfSections): Promise<ServiceProcesses> {
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-procs-'));
    try {
      const pkg = snapshotPackage(path.join(dir, 'pkg'));
      const db = await createTestDatabase(kind);
      const nodeDir = path.join(dir, 'nodes');
      mkdirSync(nodeDir);
      const conf = path.join(dir, 'esi-leap.conf');
      const base: ConfSections = {
        api: { host_ip: '127.0.0.1', default_resource_type: 'dummy_node' },
        noauth: { project_id: P.admin, projects: PROJECT_ENTRIES.join(',') },
      };
      for (const [section, options] of Object.entries(extra)) base[section] = { ...base[section], ...options };
      writeLocalConf(conf, { connection: db.connection, nodeDir }, base);
      return new ServiceProcesses(db, dir, nodeDir, conf, pkg);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The `lease_retries.claimed_by` prefix of a process's lease claims. */
  static claimPrefix(pid: number): string {
    return `${hostname().slice(0, 30)}:${pid}:`;
  }

  /** The `notification_cursors.holder` prefix of a process's relay claim. */
  static relayPrefix(pid: number): string {
    return `${hostname()}:${pid}:`;
  }

  /** Node files owned by P.owner. */
  addNodes(prefix: string, count: number): string[] {
    const doc = JSON.stringify({ project_owner_id: P.owner, resource_class: 'fake' });
    return Array.from({ length: count }, (_, i) => {
      const name = `${prefix}-${i}`;
      writeFileSync(path.join(this.nodeDir, name), doc);
      return name;
    });
  }

  nodeFile(name: string): Record<string, unknown> {
    return JSON.parse(readFileSync(path.join(this.nodeDir, name), 'utf8')) as Record<string, unknown>;
  }

  async startApi(): Promise<void> {
    const port = await freePort();
    const api = this.spawn('api', { ESI_LEAP__API__PORT: String(port) }, 'API listening');
    this.apiUrl = `http://127.0.0.1:${port}`;
    await waitForHttp(`${this.apiUrl}/`, api.child, () => api.output(), 60_000);
  }

  startManager(): ServiceProcess {
    return this.spawn('manager', {}, 'running (role manager)');
  }

  /** One request to the API process as `persona`; the parsed JSON body (null if none). */
  async request(method: string, url: string, persona: Persona, body?: unknown): Promise<{ status: number; body: any }> {
    if (!this.apiUrl) throw new Error('the API process is not started');
    const res = await fetch(`${this.apiUrl}${url}`, {
      method,
      headers: { ...headersFor(persona), 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async stop(): Promise<void> {
    for (const child of this.live) child.kill('SIGKILL');
    await Promise.all([...this.live].map((child) => new Promise((resolve) => child.once('exit', resolve))));
    await this.db?.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private spawn(role: string, env: Record<string, string>, upLine: string): ServiceProcess {
    const child = spawn(
      process.execPath,
      [path.join(this.pkg, 'bin', 'esi-leap.js'), `--role=${role}`, '--config-file', this.conf],
      {
        cwd: this.dir,
        env: { ...process.env, HOME: this.dir, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.live.add(child);
    let tail = '';
    let up: () => void;
    const started = new Promise<void>((resolve) => (up = resolve));
    const onData = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-8000);
      if (tail.includes(upLine)) up();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const exited = new Promise<number | string | null>((resolve) =>
      child.once('exit', (code, signal) => {
        this.live.delete(child);
        up();
        resolve(code ?? signal);
      }),
    );
    return { child, pid: child.pid!, started, exited, output: () => tail };
  }
}

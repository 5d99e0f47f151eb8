import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { freePort } from '../../support/child-http';

const MARIADBD = process.env.ESI_LEAP_TEST_MARIADBD ?? '/usr/sbin/mariadbd';
const INSTALL_DB = process.env.ESI_LEAP_TEST_MARIADB_INSTALL_DB ?? 'mariadb-install-db';

function run(file: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs }, (err, _stdout, stderr) =>
      err ? reject(new Error(`${file}: ${err.message}\n${stderr}`)) : resolve(),
    );
  });
}

/**
 * A private `mariadbd` (own datadir, own loopback port, no config files) that a test may kill
 * and restart at will; the shared server on 3306 is never touched. Root has no password.
 */
export class ThrowawayMariadb {
  private child: ChildProcess | null = null;
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly extraArgs: readonly string[],
  ) {}

  /** `extraArgs` go to every start of mariadbd (e.g. the wsrep options of a Galera node). */
  static async create(extraArgs: readonly string[] = []): Promise<ThrowawayMariadb> {
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-mariadb-'));
    try {
      await run(
        INSTALL_DB,
        [
          '--no-defaults',
          `--datadir=${path.join(dir, 'data')}`,
          '--user=root',
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
        ],
        60_000,
      );
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return new ThrowawayMariadb(dir, await freePort(), extraArgs);
  }

  /** `mysql+pymysql://root@127.0.0.1:<port>/<database>` */
  url(database: string): string {
    return `mysql+pymysql://root@127.0.0.1:${this.port}/${database}`;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    const child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${path.join(this.dir, 'data')}`,
        '--user=root',
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${path.join(this.dir, 'mysqld.sock')}`,
        `--pid-file=${path.join(this.dir, 'mysqld.pid')}`,
        '--skip-log-bin',
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=32M',
        '--max-connections=200',
        ...this.extraArgs,
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode} on start`);
      try {
        const c = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 1000 });
        await c.end();
        return;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`mariadbd did not accept connections within ${timeoutMs} ms: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async query(sql: string): Promise<void> {
    const c = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 5000 });
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  }

  /** SIGKILL: the database vanishes mid-flight, as a crashed or unplugged server would. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP: the server hangs with its connections open, as a stalled host or disk would. */
  stall(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT after `stall()`. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async destroy(): Promise<void> {
    this.resume();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

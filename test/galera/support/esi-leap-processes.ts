import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { freePort, waitForHttp } from '../../support/child-http';

/** One `bin/esi-leap.js` process of a package snapshot, with its output kept for failures. */
export interface EsiLeapProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` for an API process. */
  readonly url: string;
  output(): string;
}

/**
 * Starts the processes of a Galera run and stops them all at the end, whatever failed. Roles
 * other than `api` (managers) are spawned the same way; only API processes are waited for.
 */
export class EsiLeapProcesses {
  private readonly started: EsiLeapProcess[] = [];

  constructor(
    private readonly packageDir: string,
    private readonly workDir: string,
  ) {}

  /** `esi-leap-dbsync --config-file <conf> upgrade`; rejects with its output when it fails. */
  dbsyncUpgrade(conf: string): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [path.join(this.packageDir, 'bin', 'esi-leap-dbsync.js'), '--config-file', conf, 'upgrade'],
        { cwd: this.workDir, env: { ...process.env, HOME: this.workDir }, timeout: 300_000 },
        (err, stdout, stderr) =>
          err ? reject(new Error(`dbsync upgrade: ${err.message}\n${stdout}${stderr}`)) : resolve(stdout),
      );
    });
  }

  async start(role: 'api' | 'manager', conf: string): Promise<EsiLeapProcess> {
    const port = await freePort();
    const lines: string[] = [];
    const child = spawn(
      process.execPath,
      [path.join(this.packageDir, 'bin', 'esi-leap.js'), `--role=${role}`, '--config-file', conf],
      {
        cwd: this.workDir,
        env: { ...process.env, HOME: this.workDir, ESI_LEAP__API__PORT: String(port) },
      },
    );
    child.stdout!.on('data', (d) => lines.push(String(d)));
    child.stderr!.on('data', (d) => lines.push(String(d)));
    const started: EsiLeapProcess = { child, url: `http://127.0.0.1:${port}`, output: () => lines.join('') };
    this.started.push(started);
    if (role === 'api') await waitForHttp(`${started.url}/`, child, started.output, 60_000);
    return started;
  }

  /** SIGTERM to every process still running, and waits for their exit. */
  async stopAll(): Promise<void> {
    const running = this.started.splice(0).filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    await Promise.all(
      running.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
            child.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}

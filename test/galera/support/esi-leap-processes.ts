import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { freePort, waitForHttp } from '../../support/child-http';

/** One `bin/esi-leap.js` process of a package snapshot, with its output kept for failures. */
export interface EsiLeapProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` for an API process. */
  readonly url: string;
  /** The exit code, or the signal that ended it. */
  readonly exited: Promise<number | string | null>;
  output(): string;
  /** Its log lines at WARN level or above, from the start (request logs would crowd them out of `output`). */
  problems(): string;
}

/** What a process logs once it runs (`src/cli/serve.ts`). */
const RUNNING = /running \(role \w+\)/;
/** The last characters of a process's output kept for failure messages. */
const OUTPUT_KEPT = 64_000;

/**
 * Starts the processes of a Galera run and stops them all at the end, whatever failed. An API
 * process is started once it answers HTTP, a manager once it logs that it runs.
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
    let tail = '';
    let partial = '';
    let problems = '';
    const child = spawn(
      process.execPath,
      [path.join(this.packageDir, 'bin', 'esi-leap.js'), `--role=${role}`, '--config-file', conf],
      {
        cwd: this.workDir,
        env: { ...process.env, HOME: this.workDir, ESI_LEAP__API__PORT: String(port) },
      },
    );
    let running: () => void;
    const up = new Promise<void>((resolve) => (running = resolve));
    const keep = (d: Buffer) => {
      tail = (tail + String(d)).slice(-OUTPUT_KEPT);
      if (RUNNING.test(tail)) running();
      const lines = (partial + String(d)).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (/"level":"(WARN|ERROR|FATAL)"/.test(line)) problems = (problems + line + '\n').slice(-OUTPUT_KEPT);
      }
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<number | string | null>((resolve) =>
      child.once('exit', (code, signal) => {
        running();
        resolve(code ?? signal);
      }),
    );
    const started: EsiLeapProcess = {
      child,
      url: `http://127.0.0.1:${port}`,
      exited,
      output: () => tail,
      problems: () => problems,
    };
    this.started.push(started);
    if (role === 'api') await waitForHttp(`${started.url}/`, child, started.output, 60_000);
    else {
      await up;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the ${role} process exited at start:\n${started.output()}`);
      }
    }
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

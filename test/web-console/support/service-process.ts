import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { freePort, waitForHttp } from '../../support/child-http';

const ROOT = path.resolve(__dirname, '../../..');

export interface ServiceProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * `bin/esi-leap.js` as `npm start` runs it, in `cwd` on a free loopback port: with no
 * `--config-file`, embedded mode (SQLite and dummy nodes under `cwd/data`, no Keystone, API and
 * manager in one process).
 */
export async function startService(cwd: string, args: string[] = []): Promise<ServiceProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin', 'esi-leap.js'), ...args], {
    cwd,
    env: { ...process.env, HOME: cwd, ESI_LEAP__API__PORT: String(port), ESI_LEAP__API__HOST_IP: '127.0.0.1' },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output = (output + String(d)).slice(-8000)));
  child.stderr!.on('data', (d) => (output = (output + String(d)).slice(-8000)));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/`, child, () => output, 60_000);
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The test services' own hygiene: a port held by something else is reported in one line, never
 * reused; and the services a run started go away with the run, even when it is killed.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/child-http';

const run = promisify(execFile);
const HERE = __dirname;

async function until(what: string, done: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('test services', () => {
  describe('a port held by another process', () => {
    let foreign: Server;
    let port: number;
    let state: string;

    beforeAll(async () => {
      port = await freePort();
      foreign = createServer((socket) => socket.end());
      await new Promise<void>((resolve) => foreign.listen(port, '127.0.0.1', resolve));
      state = mkdtempSync(path.join(tmpdir(), 'esi-leap-foreign-'));
    });
    afterAll(async () => {
      await new Promise((resolve) => foreign.close(resolve));
      rmSync(state, { recursive: true, force: true });
    });

    it('keystone.sh refuses it in one line and starts nothing', async () => {
      const failure = await run('bash', [path.join(HERE, 'keystone.sh'), 'start'], {
        env: { ...process.env, ESI_LEAP_KEYSTONE_STATE: state, ESI_LEAP_KEYSTONE_PORT: String(port) },
      }).then(
        () => null,
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
      expect(failure).not.toBeNull();
      expect(failure!.code).toBe(3);
      expect(failure!.stdout).toBe('');
      const lines = failure!.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^keystone\\.sh: 127\\.0\\.0\\.1:${port} is in use by a process this script did not start .*; not starting Keystone there\\.`,
        ),
      );
      expect(existsSync(path.join(state, 'uwsgi.pid'))).toBe(false);
    });
  });

  it('a killed run still stops its Keystone and removes its run directory', async () => {
    // A stand-in for jest: runs the global setup, then waits to be killed.
    const runner = spawn(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(path.join(HERE, 'jest-global-setup.js'))})().then(() => { console.log(process.env.ESI_LEAP_TEST_RUN_DIR); setInterval(() => {}, 1000); })`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const runDir = await new Promise<string>((resolve) =>
      runner.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
    );
    try {
      const state = path.join(runDir, 'keystone');
      await run('bash', [path.join(HERE, 'keystone.sh'), 'start'], {
        env: { ...process.env, ESI_LEAP_KEYSTONE_STATE: state },
        timeout: 600_000,
      });
      const uwsgi = Number(readFileSync(path.join(state, 'uwsgi.pid'), 'utf8'));
      expect(alive(uwsgi)).toBe(true);

      runner.kill('SIGKILL');
      await until('the run directory to be removed', () => !existsSync(runDir));
      await until('Keystone to stop', () => !alive(uwsgi));
    } finally {
      runner.kill('SIGKILL');
      if (existsSync(runDir)) {
        await run('node', [path.join(HERE, 'run-services.js'), 'stop', runDir]);
      }
    }
  }, 660_000);
});

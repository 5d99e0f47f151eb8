import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, waitForHttp } from '../support/child-http';

const ROOT = path.resolve(__dirname, '../..');
const containerfile = readFileSync(path.join(ROOT, 'Containerfile'), 'utf8');
/** The stages, each from its `FROM` line on; the last is the image that runs. */
const stages = containerfile.split(/^(?=FROM )/m).filter((stage) => stage.startsWith('FROM '));
const runtime = stages[stages.length - 1];
const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};

/** Sources of the `COPY` lines that read the build context (not `--from=builder`). */
function contextCopies(): string[] {
  return containerfile
    .split('\n')
    .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
    .flatMap((line) => line.slice(5).trim().split(/\s+/).slice(0, -1));
}

/** The production dependencies as `npm prune --omit=dev` leaves them: top-level package directories. */
function productionPackages(): string[] {
  const modules = `${path.join(ROOT, 'node_modules')}/`;
  return execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.startsWith(modules))
    .map((line) => line.slice(modules.length))
    .filter((name) => !name.includes('/node_modules/') && /^(@[^/]+\/)?[^/@][^/]*$/.test(name));
}

describe('Containerfile', () => {
  it('builds on Node 22 LTS in both stages (better-sqlite3 is ABI-bound) and runs on the slim image', () => {
    expect(stages.map((stage) => /^FROM (\S+)/.exec(stage)![1])).toEqual([
      'docker.io/library/node:22-bookworm',
      'docker.io/library/node:22-bookworm-slim',
    ]);
  });

  it('keeps build tools and dev dependencies out of the final stage', () => {
    expect(stages[0]).toMatch(/npm run build && npm prune --omit=dev/);
    expect(runtime).not.toMatch(/apt-get|npm (ci|install)|\bg\+\+|\bmake\b|python3/);
    expect(runtime).toContain('COPY --from=builder /src/node_modules ./node_modules');
  });

  it('runs as a numeric, non-root user that the image creates', () => {
    const user = /^USER\s+(\S+)\s*$/m.exec(runtime)?.[1];
    expect(user).toMatch(/^\d+:\d+$/);
    const [uid, gid] = user!.split(':');
    expect(uid).not.toBe('0');
    expect(runtime).toContain(`useradd --system --uid ${uid} --gid ${gid}`);
    expect(runtime).toContain(`groupadd --system --gid ${gid}`);
  });

  it('has a HEALTHCHECK running a command the image links', () => {
    const healthcheck = /^HEALTHCHECK .*CMD \["([^"]+)"\]$/m.exec(runtime);
    expect(healthcheck).not.toBeNull();
    expect(Object.keys(packageJson.bin)).toContain(healthcheck![1]);
  });

  it('copies only files that exist and that .containerignore lets through', () => {
    const ignored = readFileSync(path.join(ROOT, '.containerignore'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    for (const source of contextCopies()) {
      expect([source, existsSync(path.join(ROOT, source))]).toEqual([source, true]);
      expect(ignored).not.toContain(source);
    }
  });

  it('links every command package.json declares, so the entrypoint and dbsync resolve', () => {
    const loop = /for name in ([^;]+); do/.exec(containerfile)![1].trim().split(/\s+/);
    for (const bin of Object.keys(packageJson.bin)) expect(loop).toContain(bin);
    for (const name of loop) expect([name, existsSync(path.join(ROOT, 'bin', `${name}.js`))]).toEqual([name, true]);
    expect(containerfile).toContain('ENTRYPOINT ["esi-leap"]');
  });

  describe('a tree laid out like the image, with production dependencies only', () => {
    let image: string;
    beforeAll(() => {
      image = mkdtempSync(path.join(tmpdir(), 'esi-leap-image-'));
      execFileSync(
        process.execPath,
        [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(image, 'dist')],
        {
          cwd: ROOT,
          stdio: 'pipe',
        },
      );
      cpSync(path.join(ROOT, 'package.json'), path.join(image, 'package.json'));
      cpSync(path.join(ROOT, 'bin'), path.join(image, 'bin'), { recursive: true });
      cpSync(path.join(ROOT, 'config'), path.join(image, 'config'), { recursive: true });
      for (const name of productionPackages()) {
        mkdirSync(path.dirname(path.join(image, 'node_modules', name)), { recursive: true });
        symlinkSync(path.join(ROOT, 'node_modules', name), path.join(image, 'node_modules', name));
      }
    }, 240000);
    afterAll(() => rmSync(image, { recursive: true, force: true }));

    it('has no dev dependency in it', () => {
      for (const devOnly of ['jest', 'playwright-core', '@nestjs/testing', 'eslint']) {
        expect([devOnly, existsSync(path.join(image, 'node_modules', devOnly))]).toEqual([devOnly, false]);
      }
      expect(existsSync(path.join(image, 'node_modules', '@nestjs', 'core'))).toBe(true);
    });

    it('runs `esi-leap --help` (which loads every module of every role)', () => {
      const help = execFileSync(process.execPath, [path.join(image, 'bin', 'esi-leap.js'), '--help'], {
        encoding: 'utf8',
      });
      expect(help).toContain('--role <role>');
      expect(help).toContain('dbsync');
    });

    it('runs a role whose status port the HEALTHCHECK command finds healthy, and unhealthy once it is gone', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-image-run-'));
      const statusPort = await freePort();
      const conf = path.join(dir, 'esi-leap.conf');
      writeFileSync(
        conf,
        `[DEFAULT]\nstatus_port = ${statusPort}\n[api]\nhost_ip = 127.0.0.1\ndefault_resource_type = dummy_node\n[pecan]\nauth_enable = false\n[database]\nconnection = sqlite:///${path.join(dir, 'db.sqlite')}\nauto_upgrade = true\n`,
      );
      const env = { ...process.env, HOME: dir, ESI_LEAP_HEALTHCHECK_URL: `http://127.0.0.1:${statusPort}/healthcheck` };
      const healthcheck = () =>
        spawnSync(process.execPath, [path.join(image, 'bin', 'esi-leap-healthcheck.js')], { env, encoding: 'utf8' });
      const child: ChildProcess = spawn(
        process.execPath,
        [path.join(image, 'bin', 'esi-leap.js'), '--role=manager', '--config-file', conf],
        { cwd: dir, env },
      );
      let output = '';
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        await waitForHttp(`http://127.0.0.1:${statusPort}/healthcheck`, child, () => output);
        const healthy = healthcheck();
        expect([healthy.status, healthy.stdout.trim()]).toEqual([0, `http://127.0.0.1:${statusPort}/healthcheck: 200`]);
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
      const gone = healthcheck();
      expect([gone.status, gone.stdout.trim()]).toEqual([
        1,
        `http://127.0.0.1:${statusPort}/healthcheck: ECONNREFUSED`,
      ]);
      rmSync(dir, { recursive: true, force: true });
    }, 60000);
  });
});

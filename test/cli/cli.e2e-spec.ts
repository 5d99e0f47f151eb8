import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, waitForHttp } from '../support/child-http';

const root = path.resolve(__dirname, '../..');
const bin = (name: string) => path.join(root, 'bin', `${name}.js`);

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** The binary as an operator runs it: roles, config errors, dbsync, generators, SIGTERM. */
describe('esi-leap command line', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build-if-needed.js')], { cwd: root, stdio: 'inherit' });
  });

  it('a bad config value stops start-up with one line naming section and option, exit 1', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-cli-'));
    const conf = path.join(dir, 'esi-leap.conf');
    writeFileSync(conf, '[api]\nport = abc\n');
    const result = spawnSync(process.execPath, [bin('esi-leap'), '--config-file', conf], { cwd: dir, encoding: 'utf8' });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("[api] port: invalid value 'abc'");
  });

  it('a missing --config-file is an error, exit 1', () => {
    const result = spawnSync(process.execPath, [bin('esi-leap'), '--config-file', '/nonexistent/esi-leap.conf'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('/nonexistent/esi-leap.conf');
  });

  it('starts in embedded mode, answers the version document, and drains on SIGTERM with exit 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-cli-'));
    const port = await freePort();
    const child = spawn(process.execPath, [bin('esi-leap')], {
      cwd: dir,
      env: { ...process.env, HOME: dir, ESI_LEAP__API__PORT: String(port) },
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const res = await waitForHttp(`http://127.0.0.1:${port}/`, child, () => output);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }).name).toBe('ESI Leap API');
    expect(output).toContain('embedded mode');
    expect(output).toContain(path.join(dir, 'data', 'nodes'));
    const code = exited(child);
    child.kill('SIGTERM');
    expect(await code).toBe(0);
  });

  it.each(['manager', 'console-proxy'])('--role=%s starts without the API and drains on SIGTERM', async (role) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-cli-'));
    const conf = path.join(dir, 'esi-leap.conf');
    const port = await freePort();
    writeFileSync(
      conf,
      [
        '[database]',
        `connection = sqlite:///${path.join(dir, 'db.sqlite')}`,
        'auto_upgrade = true',
        '[pecan]',
        'auth_enable = false',
        '[serialconsoleproxy]',
        'host_address = 127.0.0.1',
        `port = ${port}`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, [bin('esi-leap'), `--role=${role}`, '--config-file', conf], {
      cwd: dir,
      env: { ...process.env, HOME: dir },
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const code = exited(child);
    const until = Date.now() + 30_000;
    while (!output.includes(`role ${role}`) && child.exitCode === null && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(output).toContain(`role ${role}`);
    child.kill('SIGTERM');
    expect(await code).toBe(0);
  });

  it('esi-leap-dbsync upgrades and reports the version; genconfig writes the sample', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-cli-'));
    const conf = path.join(dir, 'esi-leap.conf');
    writeFileSync(conf, `[database]\nconnection = sqlite:///${path.join(dir, 'db.sqlite')}\n`);
    const run = (args: string[]) => spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: dir } });
    expect(run([bin('esi-leap-dbsync'), '--config-file', conf, 'version']).stdout.trim()).toBe('None');
    expect(run([bin('esi-leap-dbsync'), '--config-file', conf, 'upgrade']).status).toBe(0);
    expect(run([bin('esi-leap-dbsync'), '--config-file', conf, 'version']).stdout.trim()).not.toBe('None');
    const sample = path.join(dir, 'sample.conf');
    expect(run([bin('esi-leap'), 'genconfig', '--output-file', sample]).status).toBe(0);
    expect(readFileSync(sample, 'utf8')).toContain('[api]');
  });
});

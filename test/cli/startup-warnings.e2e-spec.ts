import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, waitForHttp } from '../support/child-http';

const root = path.resolve(__dirname, '../..');

describe('start-up with options that have no effect', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build-if-needed.js')], { cwd: root, stdio: 'inherit' });
    dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-startup-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one warning naming those the file sets, and none of the options in use', async () => {
    const port = await freePort();
    const conf = path.join(dir, 'esi-leap.conf');
    writeFileSync(
      conf,
      [
        '[DEFAULT]',
        'use_syslog = true',
        'log_file = /var/log/esi-leap/esi-leap.log',
        'log_level = info',
        '[api]',
        'host_ip = 127.0.0.1',
        `port = ${port}`,
        'api_workers = 4',
        '[database]',
        `connection = sqlite:///${path.join(dir, 'db.sqlite')}`,
        'auto_upgrade = true',
        'max_overflow = 50',
        '[keystone_authtoken]',
        'memcached_servers = 127.0.0.1:11211',
        '[pecan]',
        'auth_enable = false',
      ].join('\n'),
    );
    const child: ChildProcess = spawn(
      process.execPath,
      [path.join(root, 'bin', 'esi-leap.js'), '--role=api', '--config-file', conf],
      {
        cwd: dir,
        env: { ...process.env, HOME: dir },
      },
    );
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitForHttp(`http://127.0.0.1:${port}/`, child, () => output);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const warnings = output
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: string; message: string })
      .filter((line) => line.level === 'WARNING');
    expect(warnings).toHaveLength(1);
    const listed = warnings[0].message.replace(
      /^options set that have no effect here, accepted for compatibility only: /,
      '',
    );
    expect(listed.split(', ').sort()).toEqual(
      [
        '[DEFAULT] log_file',
        '[DEFAULT] use_syslog',
        '[api] api_workers',
        '[database] max_overflow',
        '[keystone_authtoken] memcached_servers',
      ].sort(),
    );
  });
});

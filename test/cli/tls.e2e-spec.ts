import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort } from '../support/child-http';

const root = path.resolve(__dirname, '../..');
const esiLeap = path.join(root, 'bin', 'esi-leap.js');

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl now. */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=esi-leap test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  );
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ]) {
    writeFileSync(path.join(dir, `${name}.ext`), `${ext}\n`);
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
  }
}

interface Answer {
  status?: number;
  error?: string;
}

/** One HTTPS GET trusting only the test CA, optionally presenting the client certificate. */
function httpsGet(url: string, dir: string, clientCert: boolean): Promise<Answer> {
  const file = (name: string) => readFileSync(path.join(dir, name));
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        ca: file('ca.crt'),
        ...(clientCert ? { cert: file('client.crt'), key: file('client.key') } : {}),
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

describe('[api] enable_ssl_api', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build-if-needed.js')], { cwd: root, stdio: 'inherit' });
    dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-tls-'));
    makeCertificates(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function config(port: number, ssl: string[]): string {
    const conf = path.join(dir, `esi-leap-${port}.conf`);
    writeFileSync(
      conf,
      [
        '[api]',
        'host_ip = 127.0.0.1',
        `port = ${port}`,
        'enable_ssl_api = true',
        '[database]',
        `connection = sqlite:///${path.join(dir, `db-${port}.sqlite`)}`,
        'auto_upgrade = true',
        '[pecan]',
        'auth_enable = false',
        '[ssl]',
        ...ssl,
      ].join('\n'),
    );
    return conf;
  }

  /** Runs the API with the configuration until `use` is done with it. */
  async function withApi(conf: string, use: () => Promise<void>): Promise<void> {
    const child: ChildProcess = spawn(process.execPath, [esiLeap, '--role=api', '--config-file', conf], {
      cwd: dir,
      env: { ...process.env, HOME: dir },
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const until = Date.now() + 30_000;
      while (!output.includes('API listening on') && child.exitCode === null && Date.now() < until)
        await new Promise((r) => setTimeout(r, 100));
      expect(output).toContain('API listening on https://');
      await use();
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }

  it('serves HTTPS with [ssl] cert_file and key_file, and no plain HTTP on that port', async () => {
    const port = await freePort();
    const conf = config(port, [
      `cert_file = ${path.join(dir, 'server.crt')}`,
      `key_file = ${path.join(dir, 'server.key')}`,
    ]);
    await withApi(conf, async () => {
      expect(await httpsGet(`https://127.0.0.1:${port}/`, dir, false)).toEqual({ status: 200 });
      const plain = await fetch(`http://127.0.0.1:${port}/`).then(
        (res) => `status ${res.status}`,
        () => 'refused',
      );
      expect(plain).not.toBe('status 200');
    });
  });

  it('with [ssl] ca_file, asks clients for a certificate that CA signed', async () => {
    const port = await freePort();
    const conf = config(port, [
      `cert_file = ${path.join(dir, 'server.crt')}`,
      `key_file = ${path.join(dir, 'server.key')}`,
      `ca_file = ${path.join(dir, 'ca.crt')}`,
    ]);
    await withApi(conf, async () => {
      expect(await httpsGet(`https://127.0.0.1:${port}/`, dir, true)).toEqual({ status: 200 });
      expect((await httpsGet(`https://127.0.0.1:${port}/`, dir, false)).status).toBeUndefined();
    });
  });

  it.each([
    [
      'a missing certificate file',
      (d: string) => [`cert_file = ${path.join(d, 'nope.crt')}`, `key_file = ${path.join(d, 'server.key')}`],
      /^esi-leap: \[ssl\] cert_file: cannot read .*nope\.crt: ENOENT$/,
    ],
    [
      'no key_file',
      (d: string) => [`cert_file = ${path.join(d, 'server.crt')}`],
      /^esi-leap: \[ssl\] key_file: required when \[api\] enable_ssl_api = true$/,
    ],
    [
      'a key of another certificate',
      (d: string) => [`cert_file = ${path.join(d, 'server.crt')}`, `key_file = ${path.join(d, 'client.key')}`],
      /^esi-leap: \[ssl\] cert_file, key_file: .* are not a matching PEM certificate and key: .+$/,
    ],
    [
      'a file that is no certificate',
      (d: string) => [`cert_file = ${path.join(d, 'server.ext')}`, `key_file = ${path.join(d, 'server.key')}`],
      /^esi-leap: \[ssl\] cert_file, key_file: .* are not a matching PEM certificate and key: .+$/,
    ],
  ])('stops at start-up with one line on %s, exit 1', async (_case, ssl, message) => {
    const conf = config(await freePort(), ssl(dir));
    const result = spawnSync(process.execPath, [esiLeap, '--role=api', '--config-file', conf], {
      cwd: dir,
      env: { ...process.env, HOME: dir },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(message);
  });
});

describe('[metrics] enabled', () => {
  it('without [DEFAULT] status_port stops at start-up: /metrics is served on the status port only', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-metrics-'));
    try {
      const conf = path.join(dir, 'esi-leap.conf');
      writeFileSync(
        conf,
        `[metrics]\nenabled = true\n[database]\nconnection = sqlite:///${path.join(dir, 'db.sqlite')}\n`,
      );
      const result = spawnSync(process.execPath, [esiLeap, '--role=api', '--config-file', conf], {
        cwd: dir,
        env: { ...process.env, HOME: dir },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(
        'esi-leap: [metrics] enabled = true needs [DEFAULT] status_port: /metrics is served on the status port only',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

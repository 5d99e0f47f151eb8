import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** File paths of a throw-away PKI made with openssl for one test file. */
export interface TestPki {
  readonly dir: string;
  /** The CA that signed the server and client certificates. */
  readonly caFile: string;
  /** Another CA, which signed nothing here: trusting it alone must fail. */
  readonly otherCaFile: string;
  /** Server certificate for 127.0.0.1 (IP SAN) and its key. */
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** Client certificate (for servers that require one) and its key. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** Client certificate and key in one PEM file, as keystoneauth accepts in `certfile` alone. */
  readonly clientBundleFile: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function ca(dir: string, name: string): void {
  openssl(
    dir,
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`].concat([
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
    ]),
  );
}

function signed(dir: string, name: string, caName: string, extensions: string): void {
  openssl(dir, [
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
  ]);
  writeFileSync(path.join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${caName}.pem`,
    '-CAkey',
    `${caName}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ]);
}

/** Makes a CA, a server certificate for 127.0.0.1, a client certificate, and an unrelated CA. */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-pki-'));
  ca(dir, 'ca');
  ca(dir, 'other-ca');
  signed(dir, 'server', 'ca', 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n');
  signed(dir, 'client', 'ca', 'extendedKeyUsage = clientAuth\n');
  const file = (name: string) => path.join(dir, name);
  const bundle = file('client-bundle.pem');
  writeFileSync(bundle, Buffer.concat([readFileSync(file('client.pem')), readFileSync(file('client.key'))]));
  return {
    dir,
    caFile: file('ca.pem'),
    otherCaFile: file('other-ca.pem'),
    serverCertFile: file('server.pem'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.pem'),
    clientKeyFile: file('client.key'),
    clientBundleFile: bundle,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

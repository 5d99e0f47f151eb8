import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runDir, serviceDir } from '../services/run-dir';

const run = promisify(execFile);
const SCRIPT = path.join(__dirname, '..', 'services', 'keystone.sh');

/** What test/services/keystone/identity_fixtures.py created (identity.json). */
export interface KeystoneIdentity {
  readonly auth_url: string;
  readonly domain: string;
  readonly admin: { user: string; password: string; project: string };
  readonly service: { user: string; password: string; project: string };
  readonly user_password: string;
  readonly users: Record<string, { id: string; project: string }>;
  readonly projects: Record<string, string>;
}

/** Generous: the first run on a fresh machine installs Keystone with apt. */
const KEYSTONE_START_TIMEOUT_MS = 600_000;

/**
 * Starts (or reuses) this run's Keystone (test/services/keystone.sh, on a free port) and returns
 * its identities. Parallel jest workers serialise on a lock file, so only one of them starts it.
 */
export async function startKeystone(): Promise<KeystoneIdentity> {
  const state = serviceDir('keystone');
  try {
    // -o: the uwsgi the script starts must not inherit (and so keep holding) the lock.
    await run('flock', ['-o', '-w', '900', path.join(runDir(), 'keystone.lock'), 'bash', SCRIPT, 'start'], {
      env: { ...process.env, ESI_LEAP_KEYSTONE_STATE: state },
      timeout: KEYSTONE_START_TIMEOUT_MS,
    });
  } catch (err) {
    const { stderr } = err as { stderr?: string };
    throw new Error(`keystone.sh start failed:\n${stderr ?? String(err)}`);
  }
  return JSON.parse(readFileSync(path.join(state, 'identity.json'), 'utf8')) as KeystoneIdentity;
}

/** A project-scoped token for `user` (password login), straight from Keystone. */
export async function issueToken(
  ks: KeystoneIdentity,
  user: string,
  password: string,
  project: string,
): Promise<string> {
  const response = await fetch(`${ks.auth_url}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, domain: { id: ks.domain }, password } } },
        scope: { project: { name: project, domain: { id: ks.domain } } },
      },
    }),
  });
  if (response.status !== 201) throw new Error(`token for ${user}: HTTP ${response.status} ${await response.text()}`);
  return response.headers.get('x-subject-token') as string;
}

/** The service user's keystoneauth options, as in the sections esi-leap reads. */
export function serviceCredentials(ks: KeystoneIdentity, authUrl = ks.auth_url): string[] {
  return [
    `auth_url = ${authUrl}`,
    'auth_type = password',
    `username = ${ks.service.user}`,
    `password = ${ks.service.password}`,
    `user_domain_id = ${ks.domain}`,
    `project_name = ${ks.service.project}`,
    `project_domain_id = ${ks.domain}`,
  ];
}

/**
 * `[keystone_authtoken]` and `[keystone]` for the service user. `authUrl` points both sections
 * elsewhere (`keystoneUrl` only the project directory's); `authtoken` and `keystone` add lines to
 * either section (TLS options, time limits, an endpoint override).
 */
export function keystoneConf(
  ks: KeystoneIdentity,
  options: { authUrl?: string; keystoneUrl?: string; authtoken?: string[]; keystone?: string[] } = {},
): string {
  return [
    '[keystone_authtoken]',
    'www_authenticate_uri = http://keystone.example:5000',
    ...serviceCredentials(ks, options.authUrl),
    ...(options.authtoken ?? []),
    '[keystone]',
    ...serviceCredentials(ks, options.keystoneUrl ?? options.authUrl),
    ...(options.keystone ?? []),
  ].join('\n');
}

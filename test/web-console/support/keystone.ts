import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** What test/services/keystone.sh created: projects, users and their password. */
export interface KeystoneIdentities {
  auth_url: string;
  domain: string;
  service: { user: string; password: string; project: string };
  user_password: string;
  users: Record<string, { id: string; project: string }>;
  projects: Record<string, string>;
}

const SCRIPT = path.join(__dirname, '..', '..', 'services', 'keystone.sh');
const STATE = process.env.ESI_LEAP_KEYSTONE_STATE ?? '/tmp/esi-leap-keystone';

/** The suite's real Keystone, started (or reused) by its script. */
export function startKeystone(): KeystoneIdentities {
  execFileSync(SCRIPT, ['start'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 280_000 });
  return JSON.parse(readFileSync(path.join(STATE, 'identity.json'), 'utf8')) as KeystoneIdentities;
}

/** A project-scoped token for a fixture user, straight from Keystone. */
export async function issueToken(ks: KeystoneIdentities, user: string): Promise<string> {
  const domain = { id: ks.domain };
  const response = await fetch(`${ks.auth_url}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, domain, password: ks.user_password } } },
        scope: { project: { name: ks.users[user].project, domain } },
      },
    }),
  });
  if (response.status !== 201) throw new Error(`Keystone refused ${user}: ${response.status}`);
  return response.headers.get('x-subject-token')!;
}

/** `[keystone_authtoken]` and `[keystone]` for the service's own identity. */
export function keystoneConf(ks: KeystoneIdentities): string {
  const credentials = [
    `auth_url = ${ks.auth_url}`,
    'auth_type = password',
    `username = ${ks.service.user}`,
    `password = ${ks.service.password}`,
    `user_domain_id = ${ks.domain}`,
    `project_name = ${ks.service.project}`,
    `project_domain_id = ${ks.domain}`,
  ];
  return ['[keystone_authtoken]', ...credentials, '[keystone]', ...credentials].join('\n');
}

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runDir, serviceDir } from '../services/run-dir';

const run = promisify(execFile);
const REPO = path.resolve(__dirname, '../..');
const SCRIPTS = path.join(REPO, 'test/services/ironic');

/**
 * Ironic's `[api] max_limit` in tests: tiny, so every list esi-leap makes spans several pages
 * and its `next`-link handling is exercised.
 */
export const IRONIC_MAX_LIMIT = 2;

/** Generous: the first run on a fresh machine installs Debian's Ironic packages (2–3 min). */
export const IRONIC_START_TIMEOUT_MS = 900_000;

/**
 * Starts (or reuses) this run's real Ironic (test/services/ironic, on a free port) and returns
 * its URL. Parallel jest workers serialise on a lock file, so only one of them installs or starts it.
 */
export async function startIronic(): Promise<string> {
  const runtime = serviceDir('ironic');
  const { stdout } = await run(
    'flock',
    // -o: the Ironic daemon the script starts must not inherit (and so keep holding) the lock
    ['-o', '-w', '900', path.join(runDir(), 'ironic.lock'), path.join(SCRIPTS, 'ironic-up.sh')],
    {
      env: { ...process.env, IRONIC_RUNTIME: runtime, IRONIC_MAX_LIMIT: String(IRONIC_MAX_LIMIT) },
      timeout: IRONIC_START_TIMEOUT_MS,
      maxBuffer: 10 * 1024 * 1024,
    },
  );
  const url = /^IRONIC_URL=(.+)$/m.exec(stdout)?.[1];
  if (!url) throw new Error(`ironic-up.sh printed no IRONIC_URL:\n${stdout}`);
  return url.trim();
}

export interface SeededNode {
  readonly uuid: string;
  readonly name: string;
  readonly owner: string;
}

/**
 * Enrolls `count` fake-hardware nodes named `<prefix>-1..count` (owners round-robin), all
 * `available`, the first `deploy` of them `active`. A fresh prefix per call keeps runs apart
 * in Ironic's persistent database.
 */
export async function seedNodes(count: number, owners: readonly string[], deploy = 0): Promise<SeededNode[]> {
  const prefix = `e2e-${randomBytes(4).toString('hex')}`;
  const { stdout } = await run(path.join(SCRIPTS, 'seed-nodes.sh'), [String(count), ...owners], {
    env: { ...process.env, IRONIC_RUNTIME: serviceDir('ironic'), NODE_PREFIX: prefix, DEPLOY: String(deploy) },
    timeout: 300_000,
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [uuid, name, owner] = line.split('\t');
      return { uuid, name, owner };
    });
}

/** Direct Ironic calls for arranging and asserting what esi-leap did (noauth, admin). */
export class IronicAdmin {
  constructor(private readonly url: string) {}

  async call<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${urlPath}`, {
      method,
      headers: {
        'X-OpenStack-Ironic-API-Version': '1.65',
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${urlPath} -> ${response.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  node(uuid: string): Promise<IronicNodeDoc> {
    return this.call<IronicNodeDoc>('GET', `/v1/nodes/${uuid}`);
  }

  /** What a lessee does with a leased node: deploy an image (fake) and open its console. */
  async deployAsLessee(uuid: string): Promise<void> {
    await this.call('PATCH', `/v1/nodes/${uuid}`, [
      { op: 'add', path: '/instance_info', value: { image_source: 'http://127.0.0.1/fake.img', root_gb: '10' } },
      { op: 'add', path: '/extra', value: { deployed_by: 'lessee' } },
    ]);
    await this.call('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' });
    await this.settled(uuid, 'active');
    await this.call('PUT', `/v1/nodes/${uuid}/states/console`, { enabled: true });
    await this.waitFor(uuid, (n) => n.console_enabled === true, 'console enabled');
  }

  /** Waits until the node has no transition in flight and is in `state`. */
  settled(uuid: string, state: string): Promise<IronicNodeDoc> {
    return this.waitFor(
      uuid,
      (n) => n.provision_state === state && n.target_provision_state === null,
      `provision state ${state}`,
    );
  }

  async waitFor(
    uuid: string,
    ok: (node: IronicNodeDoc) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<IronicNodeDoc> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const node = await this.node(uuid);
      if (ok(node)) return node;
      if (Date.now() > deadline)
        throw new Error(`node ${uuid}: no ${what} within ${timeoutMs} ms: ${JSON.stringify(node)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface IronicNodeDoc {
  uuid: string;
  name: string;
  owner: string | null;
  lessee: string | null;
  properties: Record<string, unknown>;
  provision_state: string;
  target_provision_state: string | null;
  console_enabled: boolean;
  instance_info: Record<string, unknown>;
  extra: Record<string, unknown>;
}

/** `ESI_LEAP_TEST_IRONIC=0` skips the real-Ironic suites (a machine where Ironic cannot be installed). */
export const describeWithIronic = process.env.ESI_LEAP_TEST_IRONIC === '0' ? describe.skip : describe;

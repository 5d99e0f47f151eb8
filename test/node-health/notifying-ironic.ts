import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/child-http';
import { IRONIC_START_TIMEOUT_MS, SeededNode } from '../ironic/ironic-service';

const run = promisify(execFile);
const SCRIPTS = path.resolve(__dirname, '../services/ironic');

export const RABBIT_URL = 'rabbit://guest:guest@127.0.0.1:5672/';

/** A real Ironic of its own that emits versioned notifications to the real RabbitMQ. */
export interface NotifyingIronic {
  readonly url: string;
  /** Its `[DEFAULT] control_exchange`: a fresh one, so only this Ironic's notifications arrive there. */
  readonly exchange: string;
  seed(count: number, owner: string): Promise<SeededNode[]>;
  stop(): Promise<void>;
}

/**
 * Starts a private Ironic (test/services/ironic, own runtime dir and free port, so the shared
 * instance other suites use keeps its configuration) with `[oslo_messaging_notifications]
 * driver = messagingv2` and `notification_level = info`, publishing to a fresh exchange.
 */
export async function startNotifyingIronic(): Promise<NotifyingIronic> {
  const runtime = mkdtempSync(path.join(tmpdir(), 'esi-leap-ironic-notify-'));
  const exchange = `ironic-${randomBytes(4).toString('hex')}`;
  const env = {
    ...process.env,
    IRONIC_RUNTIME: runtime,
    IRONIC_PORT: String(await freePort()),
    IRONIC_NOTIFICATIONS_URL: RABBIT_URL,
    IRONIC_NOTIFICATIONS_EXCHANGE: exchange,
  };
  const { stdout } = await run(path.join(SCRIPTS, 'ironic-up.sh'), [], {
    env,
    timeout: IRONIC_START_TIMEOUT_MS,
    maxBuffer: 10 * 1024 * 1024,
  });
  const url = /^IRONIC_URL=(.+)$/m.exec(stdout)?.[1]?.trim();
  if (!url) throw new Error(`ironic-up.sh printed no IRONIC_URL:\n${stdout}`);
  return {
    url,
    exchange,
    async seed(count, owner) {
      const prefix = `nh-${randomBytes(4).toString('hex')}`;
      const seeded = await run(path.join(SCRIPTS, 'seed-nodes.sh'), [String(count), owner], {
        env: { ...env, NODE_PREFIX: prefix },
        timeout: 300_000,
      });
      return seeded.stdout
        .trim()
        .split('\n')
        .map((line) => {
          const [uuid, name, nodeOwner] = line.split('\t');
          return { uuid, name, owner: nodeOwner };
        });
    },
    async stop() {
      await run(path.join(SCRIPTS, 'ironic-down.sh'), ['--purge'], { env, timeout: 60_000 });
    },
  };
}

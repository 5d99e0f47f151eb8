import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { WebhookSecretBox } from '../../src/webhooks/webhook-secrets';
import { createTestDatabase, TestDatabase, testDatabaseKinds } from '../helpers/test-databases';
import { writeLocalConf } from '../support/local-conf';
import { P } from '../support/projects';
import { SmtpSink } from '../support/smtp-sink';
import { verifySignature, WebhookReceiver } from '../webhooks/support/webhook-receiver';
import { snapshotPackage } from './support/package-snapshot';
import { printSummary, recordRow } from './support/summary';

/**
 * Three manager processes (`bin/esi-leap.js --role=manager`) on one MariaDB database, each
 * SIGKILLed at random moments KILLS times and restarted, while lease reminders fall due, are
 * mailed to an SMTP sink and, with every other lease event, delivered to a real HTTP receiver
 * that refuses one request in ten. Afterwards:
 * - every (lease, lead time) reminder exists exactly once, as a row and as one event;
 * - every event reached the receiver at least once, always with its own id as idempotency
 *   key and a valid signature, and every delivery row is `delivered`;
 * - every reminder was mailed; a second mail of one reminder only where a manager was killed
 *   between handing it to the SMTP server and recording that (its row shows more than one
 *   attempt), never because two managers sent it.
 *
 * Kills per manager: ESI_LEAP_SOAK_KILLS, 5 by default (the kill loop then lasts as long as
 * the leases' reminders and ends take, about a minute); `npm run test:soak` runs the full 20.
 */
const KILLS = Number(process.env.ESI_LEAP_SOAK_KILLS ?? 5);
const ACTIVE = 40; // started before the test: two end reminders each
const FUTURE = 20; // start during the test: a start reminder, then two end reminders
const END_LEADS = [40, 20];
const START_LEAD = 20;
const KEY = 'soak test key of sixteen+ characters';
const SECRET = 'soak test signing secret';
/** How long a manager lives once up: long enough to get through its jobs on a busy machine. */
const LIVE_MS = [1000, 6000];
/** A manager takes 1.5 s to start on an idle machine, several on a busy one. */
const LOOP_LIMIT_MS = 90_000 + KILLS * 15_000;
const SETTLE_LIMIT_MS = 90_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A bound on a wait that must not keep jest alive once the wait is over. */
const limit = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
const dbTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '000');

interface Manager {
  child: ChildProcess;
  output: () => string;
  started: Promise<void>;
  exited: Promise<unknown>;
}

(testDatabaseKinds().includes('mariadb') ? describe : describe.skip)(
  'reminders and webhooks with three managers SIGKILLed at random (MariaDB)',
  () => {
    let db: TestDatabase;
    let dir: string;
    let pkg: string;
    let conf: string;
    const sink = new SmtpSink();
    const receiver = new WebhookReceiver();
    const live = new Set<ChildProcess>();
    /** Error lines of every manager, for a failure's message. */
    const errors: string[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-soak-'));
      pkg = snapshotPackage(path.join(dir, 'pkg'));
      db = await createTestDatabase('mariadb');
      const nodeDir = path.join(dir, 'nodes');
      mkdirSync(nodeDir);
      const smtpPort = await sink.start();
      const hooks = await receiver.start();
      // One request in ten is refused: deliveries are retried besides being cut short by kills.
      receiver.on('/hook', () =>
        Math.random() < 0.1 ? { status: 503, body: 'try later' } : { status: 200, body: 'ok' },
      );
      conf = path.join(dir, 'esi-leap.conf');
      writeLocalConf(
        conf,
        { connection: db.connection, nodeDir },
        {
          DEFAULT: { host: 'soak', log_level: 'info' },
          manager: {
            sweep_interval: 1,
            max_attempts: 50,
            retry_backoff_base: 0.1,
            retry_backoff_max: 0.5,
            claim_timeout: 3,
          },
          reminders: { end_lead_times: END_LEADS.map((s) => `${s}s`).join(','), start_lead_times: `${START_LEAD}s` },
          email: {
            enabled: 'true',
            smtp_host: '127.0.0.1',
            smtp_port: smtpPort,
            sender: 'esi@example.com',
            project_contacts: `${P.lessee}:lessee@example.com`,
            reminder_interval: 1,
          },
          webhooks: {
            enabled: 'true',
            secret_keys: KEY,
            allow_private_targets: 'true',
            poll_interval: 0.2,
            timeout: 2,
            retry_backoff_base: 0.5,
            retry_backoff_max: 2,
            retry_for: 600,
          },
        },
      );
      for (let i = 0; i < ACTIVE + FUTURE; i++) {
        writeFileSync(
          path.join(nodeDir, `soak-node-${i}`),
          JSON.stringify({ project_owner_id: P.owner, resource_class: 'fake' }),
        );
      }
      const id = randomUUID();
      await db.dataSource.query(
        'INSERT INTO webhooks (id, project_id, url, event_types, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        [
          id,
          P.lessee,
          `${hooks}/hook`,
          '["*"]',
          new WebhookSecretBox([KEY]).seal(id, SECRET),
          dbTime(Date.now() - 3_600_000),
        ],
      );
    }, 300_000);

    afterAll(async () => {
      for (const child of live) child.kill('SIGKILL');
      await db?.drop();
      await sink.stop();
      await receiver.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
      printSummary();
    });

    function startManager(): Manager {
      const child = spawn(
        process.execPath,
        [path.join(pkg, 'bin', 'esi-leap.js'), '--role=manager', '--config-file', conf],
        {
          cwd: dir,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      live.add(child);
      let text = '';
      let resolveStarted: () => void;
      const started = new Promise<void>((resolve) => (resolveStarted = resolve));
      const onData = (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line.includes('"level":"error"')) errors.push(line.slice(0, 300));
        }
        text += chunk.toString('utf8');
        // Logged once the process is up and its SIGTERM handler installed.
        if (text.includes('running (role manager)')) resolveStarted();
        text = text.slice(-6000);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      const exited = new Promise((resolve) =>
        child.once('exit', (code, signal) => {
          live.delete(child);
          resolveStarted();
          resolve(code ?? signal);
        }),
      );
      return { child, output: () => text, started, exited };
    }

    async function count(sql: string, params: unknown[] = []): Promise<number> {
      const [row] = (await db.dataSource.query(sql, params)) as Array<{ n: unknown }>;
      return Number(row.n);
    }

    it(`${ACTIVE + FUTURE} leases, 3 managers killed ${KILLS} times each: reminders once, deliveries at least once under one key, mails once`, async () => {
      const t0 = Date.now() + 3000;
      const rows: unknown[][] = [];
      const leases: Array<{ uuid: string; start: number; end: number; future: boolean }> = [];
      for (let i = 0; i < ACTIVE + FUTURE; i++) {
        const future = i >= ACTIVE;
        const start = future ? t0 + 25_000 + Math.random() * 15_000 : t0 - 3_600_000;
        const end = future ? start + 50_000 : t0 + 40_000 + Math.random() * 30_000;
        const uuid = randomUUID();
        leases.push({ uuid, start, end, future });
        rows.push([
          uuid,
          P.lessee,
          P.owner,
          'dummy_node',
          `soak-node-${i}`,
          dbTime(start),
          dbTime(end),
          'created',
          '{}',
        ]);
      }
      await db.dataSource.query(
        `INSERT INTO leases (uuid, project_id, owner_id, resource_type, resource_uuid, start_time, end_time, status, properties) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        rows.flat(),
      );
      const lastEnd = Math.max(...leases.map((l) => l.end));

      // Three kill loops side by side: start, wait until up, live a random while, SIGKILL.
      const kills = [0, 0, 0];
      const loopStarted = Date.now();
      await Promise.all(
        kills.map(async (_k, slot) => {
          await sleep(slot * 700);
          while (
            (kills[slot] < KILLS || (KILLS > 0 && Date.now() < lastEnd + 2000)) &&
            Date.now() - loopStarted < LOOP_LIMIT_MS
          ) {
            const manager = startManager();
            await Promise.race([manager.started, limit(30_000)]);
            await sleep(LIVE_MS[0] + Math.random() * (LIVE_MS[1] - LIVE_MS[0]));
            manager.child.kill('SIGKILL');
            await manager.exited;
            kills[slot] += 1;
          }
        }),
      );
      expect(Math.min(...kills)).toBeGreaterThanOrEqual(KILLS);
      const loopSeconds = (Date.now() - loopStarted) / 1000;

      // Three managers again, left alone until everything is done; then a clean shutdown.
      const expectedReminders = leases.length * END_LEADS.length + FUTURE;
      const finals = [startManager(), startManager(), startManager()];
      // Up before anything else: a SIGTERM during start-up would find no handler yet.
      await Promise.all(finals.map((m) => m.started));
      const settleStarted = Date.now();
      const progress = async () => ({
        notExpired: await count("SELECT COUNT(*) AS n FROM leases WHERE status <> 'expired'"),
        reminders: await count('SELECT COUNT(*) AS n FROM lease_reminders'),
        mailed: await count('SELECT COUNT(*) AS n FROM lease_reminders WHERE mailed_at IS NOT NULL'),
        undelivered: await count("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status <> 'delivered'"),
        eventsAfterCursor: await count(
          "SELECT COUNT(*) AS n FROM events WHERE id > (SELECT last_event_id FROM notification_cursors WHERE name = 'webhooks')",
        ),
      });
      const done = {
        notExpired: 0,
        reminders: expectedReminders,
        mailed: expectedReminders,
        undelivered: 0,
        eventsAfterCursor: 0,
      };
      let state = await progress();
      while (JSON.stringify(state) !== JSON.stringify(done) && Date.now() - settleStarted < SETTLE_LIMIT_MS) {
        await sleep(500);
        state = await progress();
      }
      const settled = JSON.stringify(state) === JSON.stringify(done);
      for (const m of finals) m.child.kill('SIGTERM');
      const exits = await Promise.all(finals.map((m) => Promise.race([m.exited, limit(20_000).then(() => 'hung')])));
      if (!settled) {
        const unmailed = await db.dataSource.query(
          'SELECT lease_uuid, kind, lead_seconds, due_for, remind_at, created_at, mail_attempts, mail_next_at, mail_error FROM lease_reminders WHERE mailed_at IS NULL',
        );
        process.stdout.write(`[soak] not mailed: ${JSON.stringify(unmailed)}\n`);
        process.stdout.write(`[soak] errors:\n${errors.slice(0, 50).join('\n')}\n`);
      }
      if (!settled)
        process.stdout.write(`[soak] final manager output:\n${finals.map((m) => m.output()).join('\n---\n')}\n`);
      expect(state).toEqual(done);
      expect(exits).toEqual([0, 0, 0]);

      // 1. Reminders: one row and one event per (lease, kind, lead time).
      const reminders = (await db.dataSource.query(
        'SELECT r.lease_uuid, r.kind, r.lead_seconds, r.event_id, r.mail_attempts, r.mail_error, e.event_type, e.object_uuid, ' +
          'TIMESTAMPDIFF(MICROSECOND, r.remind_at, e.event_time) AS late_us ' +
          'FROM lease_reminders r LEFT JOIN events e ON e.id = r.event_id',
      )) as Array<Record<string, any>>;
      const expected = new Set<string>();
      for (const l of leases) {
        for (const lead of END_LEADS) expected.add(`${l.uuid}/end/${lead}`);
        if (l.future) expected.add(`${l.uuid}/start/${START_LEAD}`);
      }
      const written = reminders.map((r) => `${r.lease_uuid}/${r.kind}/${Number(r.lead_seconds)}`);
      expect(written.length).toBe(expected.size);
      expect(new Set(written)).toEqual(expected);
      for (const r of reminders) {
        expect([r.event_type, r.object_uuid]).toEqual([
          r.kind === 'end' ? 'esi_leap.lease.end_soon' : 'esi_leap.lease.start_soon',
          r.lease_uuid,
        ]);
      }
      expect(
        await count(
          "SELECT COUNT(*) AS n FROM events WHERE event_type IN ('esi_leap.lease.end_soon', 'esi_leap.lease.start_soon')",
        ),
      ).toBe(expected.size);

      // 2. Webhooks: every event at least once, under its own id, signed; never another key for it.
      const events = (await db.dataSource.query('SELECT id FROM events')) as Array<{ id: number }>;
      const keysByEvent = new Map<number, Set<string>>();
      let badSignatures = 0;
      for (const r of receiver.at('/hook')) {
        const id = Number(JSON.parse(r.body).id);
        keysByEvent.set(id, (keysByEvent.get(id) ?? new Set()).add(String(r.headers['idempotency-key'])));
        if (!verifySignature(SECRET, r.body, String(r.headers['x-esi-leap-signature']), Math.floor(r.at / 1000)))
          badSignatures += 1;
      }
      expect(events.filter((e) => !keysByEvent.has(Number(e.id)))).toEqual([]);
      expect([...keysByEvent].filter(([id, keys]) => keys.size !== 1 || !keys.has(String(id)))).toEqual([]);
      expect(badSignatures).toBe(0);
      expect(await count('SELECT COUNT(*) AS n FROM webhook_deliveries')).toBe(events.length);
      const received = receiver.at('/hook').length;

      // 3. Mail: each reminder mailed; a repeat only after an attempt a kill cut short.
      const mailsById = new Map<string, number>();
      for (const mail of sink.mails) {
        const id = /^Message-ID:\s+(<reminder\.[^>]+>)/im.exec(mail.data)?.[1];
        if (id) mailsById.set(id, (mailsById.get(id) ?? 0) + 1);
      }
      expect(reminders.filter((r) => r.mail_error !== null)).toEqual([]);
      expect(mailsById.size).toBe(expected.size);
      const retriedAttempts = reminders.filter((r) => Number(r.mail_attempts) > 1).length;
      const repeated = [...mailsById.values()].filter((n) => n > 1).length;
      expect(repeated).toBeLessThanOrEqual(retriedAttempts);
      expect(Math.max(...mailsById.values())).toBeLessThanOrEqual(2);

      const lateness = reminders.map((r) => Number(r.late_us) / 1e6).sort((a, b) => a - b);
      const median = lateness[Math.floor(lateness.length / 2)];
      recordRow({
        scenario: 'reminders, e-mail and webhooks, 3 managers (MariaDB)',
        load: `${leases.length} leases, ${expected.size} reminders, ${events.length} events, kill loop ${loopSeconds.toFixed(0)} s`,
        faults: `${kills.reduce((a, b) => a + b, 0)} x SIGKILL (${kills.join('/')}), 1 in 10 webhook requests refused`,
        result:
          `reminders exactly once; ${received} webhook requests for ${events.length} events, one key each, all signed; ` +
          `${mailsById.size} reminder mails, ${repeated} sent twice after a cut-short attempt; ` +
          `reminder lateness median ${median.toFixed(2)} s, max ${lateness[lateness.length - 1].toFixed(2)} s (under kills)`,
      });
    }, 420_000);
  },
);

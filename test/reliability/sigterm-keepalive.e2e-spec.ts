import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, IncomingMessage, request } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, TestDatabase, TestDatabaseKind, testDatabaseKinds } from '../helpers/test-databases';
import { freePort, waitForHttp } from '../support/child-http';
import { writeLocalConf } from '../support/local-conf';
import { headersFor, P, PROJECT_ENTRIES } from '../support/projects';
import { snapshotPackage } from './support/package-snapshot';
import { printSummary, recordRow } from './support/summary';

/**
 * SIGTERM while clients keep sending on keep-alive connections: every request must get an HTTP
 * answer. A connection the server cuts between two requests (as an immediate sweep of "idle"
 * connections does, while the client is already sending its next one) shows up here as
 * ECONNRESET or "socket hang up"; a client that must open a new connection after its own was
 * closed without `Connection: close` shows up as ECONNREFUSED.
 */
const CONNECTIONS = 24;
const LOAD_BEFORE_SIGTERM_MS = 1500;
/** Each connection sends at most this many requests (bounds the test if the server never says goodbye). */
const MAX_REQUESTS_PER_CONNECTION = 2000;
const ROUNDS = 3;

interface ConnectionOutcome {
  answered: number;
  posts: number;
  /** Answers with `Connection: close`: the server's goodbye, after which the client stops. */
  goodbyes: number;
  errors: string[];
}

function send(
  agent: Agent,
  port: number,
  method: 'GET' | 'POST',
  urlPath: string,
  body?: unknown,
): Promise<IncomingMessage> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent,
        headers: { ...headersFor('owner'), ...(payload ? { 'Content-Type': 'application/json' } : {}) },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(payload);
  });
}

/** One client on one keep-alive connection, GETs and POSTs in turn, until the server says goodbye. */
async function keepSending(port: number, connection: number, nodeName: string): Promise<ConnectionOutcome> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const outcome: ConnectionOutcome = { answered: 0, posts: 0, goodbyes: 0, errors: [] };
  try {
    for (let i = 0; i < MAX_REQUESTS_PER_CONNECTION; i++) {
      const post = i % 2 === 1;
      // A one-hour offer per POST, each in its own hour: no conflicts, every POST writes a row.
      const hour = connection * MAX_REQUESTS_PER_CONNECTION + i;
      const start = new Date(Date.UTC(2031, 0, 1) + hour * 3_600_000);
      const res = await (post
        ? send(agent, port, 'POST', '/v1/offers', {
            resource_uuid: nodeName,
            start_time: start.toISOString().slice(0, 19),
            end_time: new Date(start.getTime() + 3_600_000).toISOString().slice(0, 19),
          })
        : send(agent, port, 'GET', '/v1/offers?resource_uuid=' + nodeName));
      outcome.answered++;
      if (post) outcome.posts++;
      if (res.headers.connection === 'close') {
        outcome.goodbyes++;
        break;
      }
    }
  } catch (err) {
    outcome.errors.push((err as NodeJS.ErrnoException).code ?? (err as Error).message);
  } finally {
    agent.destroy();
  }
  return outcome;
}

const kinds = testDatabaseKinds();
describe.each(kinds)('SIGTERM under keep-alive load (%s)', (kind: TestDatabaseKind) => {
  let db: TestDatabase;
  let dir: string;
  let pkg: string;
  let conf: string;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-sigterm-'));
    const nodeDir = path.join(dir, 'nodes');
    mkdirSync(nodeDir);
    for (let i = 0; i < CONNECTIONS; i++) {
      writeFileSync(
        path.join(nodeDir, `drain-${i}`),
        JSON.stringify({ project_owner_id: P.owner, resource_class: 'baremetal' }),
      );
    }
    conf = path.join(dir, 'esi-leap.conf');
    writeLocalConf(
      conf,
      { connection: db.connection, nodeDir },
      {
        api: { host_ip: '127.0.0.1', default_resource_type: 'dummy_node' },
        noauth: { project_id: P.admin, projects: PROJECT_ENTRIES.join(',') },
      },
    );
    pkg = snapshotPackage(path.join(dir, 'package'));
  }, 240_000);

  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    printSummary();
  });

  it(`answers every request, POSTs included, in ${ROUNDS} rounds of ${CONNECTIONS} connections, and exits 0`, async () => {
    const totals = { answered: 0, posts: 0, goodbyes: 0, errors: [] as string[] };
    for (let round = 0; round < ROUNDS; round++) {
      const port = await freePort();
      let output = '';
      const child: ChildProcess = spawn(
        process.execPath,
        [path.join(pkg, 'bin', 'esi-leap.js'), '--role=api', '--config-file', conf],
        {
          cwd: dir,
          env: { ...process.env, HOME: dir, ESI_LEAP__API__PORT: String(port) },
        },
      );
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        await waitForHttp(`http://127.0.0.1:${port}/`, child, () => output, 60_000);
        const clients = Array.from({ length: CONNECTIONS }, (_, c) =>
          keepSending(port, round * CONNECTIONS + c, `drain-${c}`),
        );
        await new Promise((resolve) => setTimeout(resolve, LOAD_BEFORE_SIGTERM_MS));
        child.kill('SIGTERM');
        const outcomes = await Promise.all(clients);
        expect([round, await exited]).toEqual([round, 0]);
        for (const o of outcomes) {
          totals.answered += o.answered;
          totals.posts += o.posts;
          totals.goodbyes += o.goodbyes;
          totals.errors.push(...o.errors);
        }
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }
    recordRow({
      scenario: `SIGTERM on a keep-alive API (${kind})`,
      load: `${ROUNDS} rounds × ${CONNECTIONS} keep-alive connections, GET and POST in turn`,
      faults: `SIGTERM after ${LOAD_BEFORE_SIGTERM_MS} ms of load`,
      result: `${totals.answered} answered (${totals.posts} POSTs), ${totals.goodbyes} Connection: close, ${totals.errors.length} errors${totals.errors.length ? ` (${[...new Set(totals.errors)].join(', ')})` : ''}`,
    });
    expect(totals.errors).toEqual([]);
    // Every connection ended with the server's goodbye, none by running out of requests.
    expect(totals.goodbyes).toBe(ROUNDS * CONNECTIONS);
    expect(totals.posts).toBeGreaterThan(0);
  }, 300_000);
});

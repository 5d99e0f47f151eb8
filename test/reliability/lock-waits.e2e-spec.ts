import { Logger } from '@nestjs/common';
import { Connection, createConnection } from 'mysql2/promise';
import { ENTITIES } from '../../src/app/entities';
import { parseConnectionUrl } from '../../src/db/connection-url';
import { createDataSource } from '../../src/db/create-data-source';
import { SchemaMigrator } from '../../src/db/schema-migrator';
import { testDatabaseKinds } from '../helpers/test-databases';
import { headersFor, P } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';
import { printSummary, recordRow } from './support/summary';
import { ThrowawayMariadb } from './support/throwaway-mariadb';

/**
 * A resource held by somebody else, and a database that stops answering, must cost the requests
 * that need them a bounded wait and a 503, and nothing to the others.
 */
const HOLD_MS = 60_000;
const LOCK_WAIT_S = 2;
const POOL = 3;
const HOT_CONCURRENCY = 12;
const OTHER_CLIENTS = 4;

interface Answer {
  status: number | 'network';
  ms: number;
  body: Record<string, unknown> | null;
  finishedAt: number;
}

async function timed(url: string, init: RequestInit): Promise<Answer> {
  const started = Date.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(120_000) });
    const text = await res.text();
    return {
      status: res.status,
      ms: Date.now() - started,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
      finishedAt: Date.now(),
    };
  } catch {
    return { status: 'network', ms: Date.now() - started, body: null, finishedAt: Date.now() };
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

const kinds = testDatabaseKinds().filter((k) => k === 'mariadb');
(kinds.length ? describe : describe.skip)('bounded waits on MariaDB', () => {
  afterAll(() => printSummary());

  describe('one node locked for 60 s', () => {
    let t: TestApp;
    let base: string;
    let holder: Connection;

    beforeAll(async () => {
      t = await createTestApp({
        kind: 'mariadb',
        conf: `[database]\nlock_wait_timeout = ${LOCK_WAIT_S}\nmax_pool_size = ${POOL}`,
      });
      Logger.overrideLogger(['fatal']);
      base = await t.url();
      t.nodes.add('hot-node', { owner: P.owner });
      for (let i = 0; i < OTHER_CLIENTS; i++) t.nodes.add(`cold-node-${i}`, { owner: P.owner });
      const { host, port, username, database } = parseConnectionUrl(t.connection).options as {
        host: string;
        port: number;
        username: string;
        database: string;
      };
      holder = await createConnection({ host, port, user: username, database });
    }, 120_000);

    afterAll(async () => {
      await holder?.end().catch(() => undefined);
      await t?.close();
    });

    it(
      'requests for it answer 503 after the lock wait, everything else keeps answering',
      async () => {
        // Another process (a stuck manager, an operator's session) holds the node's lock row.
        await holder.query('START TRANSACTION');
        await holder.query(
          "INSERT INTO resource_locks (resource_type, resource_uuid, locked_at) VALUES ('test_node', 'hot-node', UTC_TIMESTAMP(6)) " +
            'ON DUPLICATE KEY UPDATE locked_at = UTC_TIMESTAMP(6)',
        );
        const heldUntil = Date.now() + HOLD_MS;
        const post = (body: unknown) => ({
          method: 'POST',
          headers: { ...headersFor('owner'), 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });

        const hot: Answer[] = [];
        const others: Answer[] = [];
        let day = 0;
        const hotWave = () =>
          Promise.all(
            Array.from({ length: HOT_CONCURRENCY }, () =>
              timed(
                `${base}/v1/leases`,
                post({
                  resource_uuid: 'hot-node',
                  project_id: P.lessee,
                  start_time: '2032-01-01',
                  end_time: '2032-01-02',
                }),
              ),
            ),
          );
        const otherClient = async (i: number) => {
          while (Date.now() < heldUntil) {
            const n = day++;
            const start = new Date(Date.UTC(2032, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
            const end = new Date(Date.UTC(2032, 0, 2) + n * 86_400_000).toISOString().slice(0, 10);
            others.push(
              await timed(
                `${base}/v1/leases`,
                post({ resource_uuid: `cold-node-${i}`, project_id: P.lessee, start_time: start, end_time: end }),
              ),
            );
            others.push(await timed(`${base}/v1/offers`, { headers: headersFor('owner') }));
            others.push(await timed(`${base}/v1/leases?view=all`, { headers: headersFor('admin') }));
            others.push(await timed(`${base}/healthcheck`, {}));
          }
        };
        const hotLoop = async () => {
          while (Date.now() < heldUntil - LOCK_WAIT_S * 3000) hot.push(...(await hotWave()));
        };
        await Promise.all([hotLoop(), ...Array.from({ length: OTHER_CLIENTS }, (_, i) => otherClient(i))]);
        await holder.query('ROLLBACK');

        // Every request for the locked node got a 503 naming it, none a 500, a reset or a hang.
        expect(hot.length).toBeGreaterThanOrEqual(HOT_CONCURRENCY * 5);
        expect(new Set(hot.map((a) => a.status))).toEqual(new Set([503]));
        for (const answer of hot) {
          expect(answer.body).toEqual({
            faultcode: 'Server',
            faultstring: 'test_node hot-node is being changed by another request; try again shortly.',
            debuginfo: null,
          });
        }
        // Everything else answered, and did so while waves of requests waited for the lock.
        expect(others.length).toBeGreaterThan(100);
        const failed = others.filter((a) => typeof a.status !== 'number' || a.status >= 300);
        expect(failed).toEqual([]);
        const [rows] = (await holder.query(
          "SELECT COUNT(*) AS n FROM leases WHERE resource_uuid = 'hot-node'",
        )) as unknown as [{ n: number }[]];
        expect(Number(rows[0].n)).toBe(0);

        // Released: the node books at once.
        const after = await timed(
          `${base}/v1/leases`,
          post({ resource_uuid: 'hot-node', project_id: P.lessee, start_time: '2032-01-01', end_time: '2032-01-02' }),
        );
        expect(after.status).toBe(201);

        const otherMs = others.map((a) => a.ms);
        const hotMs = hot.map((a) => a.ms);
        recordRow({
          scenario: 'one node locked 60 s (MariaDB)',
          load: `${hot.length} bookings of the locked node in waves of ${HOT_CONCURRENCY}, ${OTHER_CLIENTS} clients on other nodes, lists and /healthcheck; pool ${POOL}`,
          faults: `its resource_locks row held by another session for ${HOLD_MS / 1000} s; lock_wait_timeout ${LOCK_WAIT_S} s`,
          result:
            `locked node: ${hot.length} x 503 (p50 ${percentile(hotMs, 50)} ms, max ${Math.max(...hotMs)} ms); ` +
            `others: ${others.length} x 2xx, p50 ${percentile(otherMs, 50)} ms, p99 ${percentile(otherMs, 99)} ms; 201 right after release`,
        });
      },
      HOLD_MS + 120_000,
    );
  });

  describe('a stalled database server (SIGSTOP)', () => {
    const STALL_MS = 6_000;
    let server: ThrowawayMariadb;
    let t: TestApp;
    let base: string;

    beforeAll(async () => {
      server = await ThrowawayMariadb.create();
      await server.start();
      await server.query('CREATE DATABASE esi_leap_stall');
      const connection = server.url('esi_leap_stall');
      const ds = await createDataSource(connection, { entities: ENTITIES }).initialize();
      await new SchemaMigrator(ds).upgrade('head');
      await ds.destroy();
      t = await createTestApp({
        kind: 'mariadb',
        connection,
        conf: '[database]\nstatement_timeout = 1\nlock_wait_timeout = 1',
      });
      Logger.overrideLogger(['fatal']);
      base = await t.url();
      t.nodes.add('stall-node', { owner: P.owner });
    }, 120_000);

    afterAll(async () => {
      await t?.close().catch(() => undefined);
      await server?.destroy();
    });

    it('answers 503 within the statement timeout while it hangs, and serves again once it resumes', async () => {
      expect((await timed(`${base}/v1/leases?view=all`, { headers: headersFor('admin') })).status).toBe(200);
      server.stall();
      const stalledAt = Date.now();
      const during: Answer[] = [];
      while (Date.now() - stalledAt < STALL_MS) {
        during.push(
          ...(await Promise.all([
            timed(`${base}/v1/leases?view=all`, { headers: headersFor('admin') }),
            timed(`${base}/v1/offers`, { headers: headersFor('owner') }),
          ])),
        );
      }
      server.resume();
      const resumedAt = Date.now();
      let recoveredAt: number | null = null;
      while (recoveredAt === null && Date.now() - resumedAt < 30_000) {
        const answer = await timed(`${base}/v1/leases?view=all`, { headers: headersFor('admin') });
        if (answer.status === 200) recoveredAt = answer.finishedAt;
      }

      expect(during.length).toBeGreaterThan(0);
      expect(new Set(during.map((a) => a.status))).toEqual(new Set([503]));
      for (const answer of during) {
        expect(answer.body).toEqual({ faultcode: 'Server', faultstring: 'Database is unavailable.', debuginfo: null });
      }
      expect(recoveredAt).not.toBeNull();
      const ms = during.map((a) => a.ms);
      recordRow({
        scenario: 'stalled database server (SIGSTOP)',
        load: `2 clients reading in a loop; statement_timeout 1 s`,
        faults: `mariadbd SIGSTOPped for ${STALL_MS / 1000} s, then SIGCONT`,
        result:
          `while stalled ${during.length} x 503 (p50 ${percentile(ms, 50)} ms, max ${Math.max(...ms)} ms); ` +
          `200 again ${((recoveredAt ?? resumedAt) - resumedAt) / 1000} s after it resumed, no restart`,
      });
    }, 120_000);
  });
});

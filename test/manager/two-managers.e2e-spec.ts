import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { testDatabaseKinds } from '../helpers/test-databases';
import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';
import { TestNodeDriver } from '../support/test-node.driver';

const LEASES = 1000;

/**
 * Several managers at once (docs/decisions.md, "Manager"): two managers (two DataSources, as two processes would have) work the same
 * 1,000 due leases at once; each lease is fulfilled exactly once — one driver call, one set of
 * events.
 */
describe.each(testDatabaseKinds())('two managers on one %s database', (kind) => {
  let first: TestApp;
  let second: TestApp;
  const nodes = new TestNodeDriver();
  const clock = new ManualClock('2030-01-01 12:00:00.000000' as UtcTime);

  beforeAll(async () => {
    first = await createTestApp({ kind, clock, nodes, manager: 'jobs', conf: '[manager]\nbatch_size = 100' });
    second = await createTestApp({ kind, clock, nodes, manager: 'jobs', connection: first.connection, conf: '[manager]\nbatch_size = 100' });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it(`fulfils ${LEASES} due leases exactly once`, async () => {
    const rows: unknown[][] = [];
    for (let i = 0; i < LEASES; i++) {
      const node = `pair-${i}`;
      nodes.add(node, { owner: P.owner });
      rows.push([randomUUID(), P.lessee, P.owner, 'test_node', node, '2030-01-01 11:00:00.000000', '2030-01-02 00:00:00.000000', 'created', '{}']);
    }
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = rows.slice(i, i + 200);
      await first.dataSource.query(
        `INSERT INTO leases (uuid, project_id, owner_id, resource_type, resource_uuid, start_time, end_time, status, properties) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flat(),
      );
    }

    const started = Date.now();
    const [a, b] = await Promise.all([first.app.get(ManagerJobs).fulfillDueLeases(), second.app.get(ManagerJobs).fulfillDueLeases()]);
    const seconds = (Date.now() - started) / 1000;

    const statuses = await first.dataSource.query('SELECT status, COUNT(*) AS n FROM leases GROUP BY status');
    expect(statuses.map((r: { status: string; n: unknown }) => [r.status, Number(r.n)])).toEqual([['active', LEASES]]);
    const perLease = await first.dataSource.query(
      `SELECT object_uuid, SUM(CASE WHEN event_type = 'esi_leap.lease.fulfill.start' THEN 1 ELSE 0 END) AS starts,
              SUM(CASE WHEN event_type = 'esi_leap.lease.fulfill.end' THEN 1 ELSE 0 END) AS ends, COUNT(*) AS total
         FROM events GROUP BY object_uuid`,
    );
    expect(perLease).toHaveLength(LEASES);
    expect(perLease.filter((r: Record<string, unknown>) => Number(r.starts) !== 1 || Number(r.ends) !== 1 || Number(r.total) !== 2)).toEqual([]);
    const callsPerLease = new Map<string, number>();
    for (const call of nodes.calls) callsPerLease.set(call.lease, (callsPerLease.get(call.lease) ?? 0) + 1);
    expect(callsPerLease.size).toBe(LEASES);
    expect([...callsPerLease.values()].every((n) => n === 1)).toBe(true);
    expect(a + b).toBe(LEASES);
    process.stdout.write(`[${kind}] two managers fulfilled ${LEASES} leases (${a} + ${b}) in ${seconds.toFixed(1)} s\n`);
  });
});

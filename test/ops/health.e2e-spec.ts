import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { createTestApp, TestApp } from '../support/test-app';

const at = (iso: string) => `${iso.replace('T', ' ')}.000000` as UtcTime;
const REQUEST_ID = 'req-0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';

describe('GET /healthcheck', () => {
  describe('API role only', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('answers 200 with the database check, without identity headers, and echoes the request id', async () => {
      const res = await t.http().get('/healthcheck').set('X-Openstack-Request-Id', REQUEST_ID).expect(200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.headers['x-openstack-request-id']).toBe(REQUEST_ID);
      expect(res.body).toEqual({ status: 'ok', checks: { database: { status: 'ok', duration_ms: expect.any(Number) } }, failing: [] });
    });

    it('issues a request id when the caller sends none or a malformed one', async () => {
      const res = await t.http().get('/healthcheck').set('X-Openstack-Request-Id', 'not-an-id').expect(200);
      expect(res.headers['x-openstack-request-id']).toMatch(/^req-[0-9a-f-]{36}$/);
    });

    it('refuses an unknown check name with a fault body', async () => {
      const res = await t.http().get('/healthcheck?check=database,bogus').expect(400);
      expect(res.body).toEqual({ faultcode: 'Client', faultstring: 'Unknown health check: bogus', debuginfo: null });
    });

    it('does not serve /metrics unless [metrics] enabled', async () => {
      await t.http().get('/metrics').expect(404);
    });

    it('answers 503 naming the database when it is gone', async () => {
      await t.dataSource.destroy();
      const res = await t.http().get('/healthcheck').expect(503);
      expect(res.body.failing).toEqual(['database']);
      expect(res.body.checks.database).toMatchObject({ status: 'failing', error: 'not connected' });
    });
  });

  describe('with the manager role in the process', () => {
    let t: TestApp;
    const clock = new ManualClock(at('2030-01-01T00:00:00'));
    beforeAll(async () => {
      t = await createTestApp({ clock, manager: 'jobs', conf: '[manager]\nsweep_interval = 10' });
    });
    afterAll(() => t.close());

    it('reports the age of the last manager run against three sweep intervals plus a grace minute', async () => {
      await t.app.get(ManagerJobs).runAll();
      clock.set(at('2030-01-01T00:01:30'));
      const fresh = await t.http().get('/healthcheck').expect(200);
      expect(fresh.body.checks.manager).toEqual({
        status: 'ok',
        last_run_finished_at: '2030-01-01T00:00:00',
        last_run_age_seconds: 90,
        max_age_seconds: 90,
      });

      clock.set(at('2030-01-01T00:01:31'));
      const stale = await t.http().get('/healthcheck').expect(503);
      expect(stale.body).toMatchObject({ status: 'failing', failing: ['manager'] });

      // A liveness probe can ask for the manager alone; a readiness probe for the database alone.
      await t.http().get('/healthcheck?check=database').expect(200);
      await t.app.get(ManagerJobs).runAll();
      await t.http().get('/healthcheck?check=manager').expect(200);
    });
  });
});

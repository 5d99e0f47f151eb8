import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';

/**
 * Prompt fulfilment (docs/decisions.md, "Manager"): with the real scheduler (sweep every 60 s here), a lease created "now"
 * through the API is fulfilled at once, and a lease is expired right at its end_time.
 */
describe('prompt fulfilment with the embedded scheduler', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ manager: 'scheduled', conf: '[manager]\nsweep_interval = 60' });
  });
  afterAll(() => t.close());

  async function statusWithin(uuid: string, wanted: string, deadlineMs: number): Promise<string> {
    const until = Date.now() + deadlineMs;
    let status = '';
    while (Date.now() < until) {
      status = (await t.as('admin').get(`/v1/leases/${uuid}`)).body.status;
      if (status === wanted) return status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return status;
  }

  it('fulfils a lease created now and expires it at its end, without waiting for the sweep', async () => {
    t.nodes.add('prompt-1', { owner: P.owner });
    const end = new Date(Date.now() + 3000).toISOString().slice(0, 23);
    const res = await t.as('owner').post('/v1/leases').send({ resource_uuid: 'prompt-1', project_id: P.lessee, end_time: end });
    expect(res.status).toBe(201);
    expect(await statusWithin(res.body.uuid, 'active', 10_000)).toBe('active');
    expect(t.nodes.nodes.get('prompt-1')).toMatchObject({ leaseUuid: res.body.uuid });
    expect(await statusWithin(res.body.uuid, 'expired', 15_000)).toBe('expired');
    expect(t.nodes.nodes.get('prompt-1')).toMatchObject({ leaseUuid: null });
  });
});

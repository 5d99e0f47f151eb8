import { testDatabaseKinds } from '../helpers/test-databases';
import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';

/**
 * The list endpoints write long lists a chunk of rows at a time and compute the availabilities
 * of a whole page of offers with one query (docs/performance.md): the bodies must be those of
 * the plain, per-offer rendering.
 */
describe.each(testDatabaseKinds())('list rendering on %s', (kind) => {
  let t: TestApp;
  const offers: Record<string, any>[] = [];
  // More rows than one chunk (100), so the list goes out chunked.
  const COUNT = 130;

  beforeAll(async () => {
    t = await createTestApp({ kind });
    for (let i = 0; i < COUNT; i++) {
      const node = `list-node-${i}`;
      t.nodes.add(node, { owner: P.owner, resourceClass: i % 2 ? 'baremetal' : 'gpu', properties: { cpus: i, note: 'grüße' } });
      const res = await t
        .as('owner')
        .post('/v1/offers')
        .send({ resource_uuid: node, name: `list-offer-${i}`, start_time: '2040-01-01T00:00:00', end_time: '2040-03-01T00:00:00', properties: { i } });
      expect(res.status).toBe(201);
      offers.push(res.body);
    }
    // Busy intervals in no particular order, some overlapping, on a few of the offers.
    const claims: Array<[number, string, string]> = [
      [0, '2040-01-10T00:00:00', '2040-01-12T00:00:00'],
      [0, '2040-01-02T00:00:00', '2040-01-03T12:30:00.5'],
      [0, '2040-02-20T00:00:00', '2040-03-01T00:00:00'],
      [7, '2040-01-01T00:00:00', '2040-01-05T00:00:00'],
      [129, '2040-01-15T00:00:00', '2040-01-16T00:00:00'],
    ];
    for (const [i, start, end] of claims) {
      const res = await t.as('lessee').post(`/v1/offers/${offers[i].uuid}/claim`).send({ start_time: start, end_time: end });
      expect(res.status).toBe(201);
    }
    // A cancelled lease does not occupy its window.
    const cancelled = await t.as('lessee').post(`/v1/offers/${offers[7].uuid}/claim`).send({ start_time: '2040-02-01T00:00:00', end_time: '2040-02-02T00:00:00' });
    expect((await t.as('lessee').delete(`/v1/leases/${cancelled.body.uuid}`)).status).toBe(200);
  });
  afterAll(() => t.close());

  it('lists every offer as showing it one by one does (batched availabilities), in bytes JSON.stringify writes', async () => {
    const res = await t.as('owner').get(`/v1/offers?project_id=${P.owner}`);
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.text).toBe(JSON.stringify(res.body));
    const listed = (res.body.offers as Record<string, any>[]).filter((o) => String(o.name).startsWith('list-offer-'));
    expect(listed.map((o) => o.uuid)).toEqual(offers.map((o) => o.uuid));
    for (const offer of listed) {
      const byUuid = await t.as('owner').get(`/v1/offers/${offer.uuid}`);
      const byName = await t.as('owner').get(`/v1/offers/${offer.name}`);
      expect(byUuid.body).toEqual(offer);
      expect(byName.body).toEqual(offer);
    }
    expect(listed[0].availabilities).toEqual([
      ['2040-01-01T00:00:00', '2040-01-02T00:00:00'],
      ['2040-01-03T12:30:00.500000', '2040-01-10T00:00:00'],
      ['2040-01-12T00:00:00', '2040-02-20T00:00:00'],
    ]);
    expect(listed[7].availabilities).toEqual([['2040-01-05T00:00:00', '2040-03-01T00:00:00']]);
    expect(listed[1].availabilities).toEqual([['2040-01-01T00:00:00', '2040-03-01T00:00:00']]);
  });

  it('filters by resource_class while streaming, and answers a short list whole with its length', async () => {
    const res = await t.as('owner').get('/v1/offers?resource_class=gpu');
    expect(res.status).toBe(200);
    expect(res.body.offers.map((o: any) => o.name)).toEqual(offers.filter((_, i) => i % 2 === 0).map((o) => o.name));
    expect(res.text).toBe(JSON.stringify(res.body));

    const one = await t.as('owner').get(`/v1/offers?resource_uuid=list-node-3&resource_type=test_node`);
    expect(one.body.offers).toHaveLength(1);
    expect(one.headers['content-length']).toBe(String(Buffer.byteLength(one.text)));
  });

  it('streams the lease and node lists with the same bodies as their rows', async () => {
    const leases = await t.as('admin').get('/v1/leases?view=all&status=any');
    expect(leases.status).toBe(200);
    expect(leases.text).toBe(JSON.stringify(leases.body));
    expect(leases.body.leases).toHaveLength(6);
    for (const lease of leases.body.leases) {
      expect((await t.as('admin').get(`/v1/leases/${lease.uuid}`)).body).toEqual(lease);
    }
    const nodes = await t.as('admin').get('/v1/nodes');
    expect(nodes.status).toBe(200);
    expect(nodes.text).toBe(JSON.stringify(nodes.body));
  });
});

import * as fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { addDays, fromDate, UtcTime } from '../../src/common/time';
import { LeaseEntity } from '../../src/leasing/data/lease.entity';
import { OfferEntity } from '../../src/leasing/data/offer.entity';
import { insertRows } from '../helpers/insert-rows';
import { testDatabaseKinds } from '../helpers/test-databases';
import { cliFilteredList, freeText, knownText, numeral, RAISES } from '../support/cli-property-filter-oracle';
import { P } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * `constraint=` on `GET /v1/offers`, `/v1/leases` and `/v1/nodes` answers the rows that
 * python-esileapclient's `--property` filter keeps from the unfiltered list (offers and leases
 * by their `resource_properties`, nodes by their `properties`), in the same order and shape.
 * The expectation comes from the client's model in test/support, never from our evaluator.
 */
describe.each(testDatabaseKinds())('constraint filters on the lists on %s', (kind) => {
  let t: TestApp;
  const now = fromDate(new Date());
  const NODES = 60;

  // Fleets typed as Ironic types them (one kind of value per key), where the client never
  // raises on a well-typed filter; some nodes lack some keys.
  const numericValue = fc.oneof(fc.integer({ min: 0, max: 512 }), numeral);
  const nodeProperties = fc.record(
    {
      cpus: numericValue,
      memory_mb: numericValue,
      local_gb: numericValue,
      gpu: fc.oneof(freeText, knownText),
      cpu_arch: knownText,
    },
    { requiredKeys: [] },
  );
  const typedFilter = fc
    .oneof(
      fc.tuple(fc.constantFrom('cpus', 'memory_mb', 'local_gb'), fc.constantFrom('=', '>=', '<=', '>', '<'), numeral),
      fc.tuple(
        fc.constantFrom('gpu', 'cpu_arch'),
        fc.constantFrom('=', '>=', '<=', '>', '<'),
        fc.oneof(knownText, freeText),
      ),
    )
    .map(([key, op, value]) => `${key}${op}${value}`);

  const query = (texts: readonly string[], extra: Record<string, string> = {}) => {
    const q = new URLSearchParams(extra);
    for (const text of texts) q.append('constraint', text);
    return q.toString();
  };

  beforeAll(async () => {
    t = await createTestApp({ kind });
    const fleet = fc.sample(nodeProperties, { numRuns: NODES, seed: 20261206 });
    fleet.forEach((properties, i) =>
      t.nodes.add(`c-node-${String(i).padStart(3, '0')}`, {
        owner: P.owner,
        resourceClass: i % 3 === 0 ? 'gpu' : 'baremetal',
        properties,
      }),
    );
    const offers = fleet.map((_, i) => ({
      uuid: randomUUID(),
      name: `c-offer-${i}`,
      projectId: P.owner,
      lesseeId: null,
      resourceType: 'test_node',
      resourceUuid: `c-node-${String(i).padStart(3, '0')}`,
      // From tomorrow: availabilities that do not move with the time of each request.
      startTime: addDays(now, 1) as UtcTime,
      endTime: addDays(now, 30) as UtcTime,
      status: 'available',
      properties: {},
      parentLeaseUuid: null,
      createdAt: now,
    }));
    await insertRows(t.dataSource, OfferEntity, offers);
    const leases = fleet.map((_, i) => ({
      uuid: randomUUID(),
      name: `c-lease-${i}`,
      projectId: P.lessee,
      ownerId: P.owner,
      purpose: null,
      resourceType: 'test_node',
      resourceUuid: `c-node-${String(i).padStart(3, '0')}`,
      startTime: addDays(now, 40 + (i % 5)) as UtcTime,
      endTime: addDays(now, 41 + (i % 5)) as UtcTime,
      fulfillTime: null,
      expireTime: null,
      status: 'created',
      properties: {},
      offerUuid: null,
      parentLeaseUuid: null,
      createdAt: now,
    }));
    await insertRows(t.dataSource, LeaseEntity, leases);
  });
  afterAll(() => t.close());

  // The leases belong to the lessee project: the default lease list shows the caller's own.
  const LISTS = [
    ['offers', 'resource_properties', 'admin'],
    ['leases', 'resource_properties', 'lessee'],
    ['nodes', 'properties', 'admin'],
  ] as const;

  it('keep what the CLI filter keeps from the unfiltered list, for generated filters', async () => {
    const unfiltered: Record<string, Record<string, unknown>[]> = {};
    for (const [list, , persona] of LISTS) {
      const res = await t.as(persona).get(`/v1/${list}`);
      expect(res.status).toBe(200);
      expect(res.body[list]).toHaveLength(NODES);
      unfiltered[list] = res.body[list];
    }
    let compared = 0;
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(typedFilter, { minLength: 1, maxLength: 3 }), async (texts) => {
        for (const [list, key, persona] of LISTS) {
          const expected = cliFilteredList(unfiltered[list], texts, (row) => row[key] as Record<string, unknown>);
          fc.pre(expected !== RAISES);
          const res = await t.as(persona).get(`/v1/${list}?${query(texts)}`);
          expect({ texts, list, status: res.status }).toEqual({ texts, list, status: 200 });
          expect(Object.keys(res.body)).toEqual([list]);
          expect(res.body[list]).toEqual(expected);
          compared++;
          if ((expected as unknown[]).length > 0) nonEmpty++;
        }
      }),
      { numRuns: 40, seed: 7 },
    );
    // Not vacuous: most filter sets were compared, and many kept some rows.
    expect(compared).toBeGreaterThan(60);
    expect(nonEmpty).toBeGreaterThan(20);
  });

  it('AND several constraints and the list filters, and page through the result', async () => {
    const texts = ['cpus>=64', 'gpu'];
    const all = (await t.as('admin').get('/v1/offers?resource_class=baremetal')).body.offers as Record<
      string,
      unknown
    >[];
    const expected = all.filter((o) => {
      const p = o.resource_properties as Record<string, unknown>;
      return p.gpu !== undefined && p.cpus !== undefined && Number(p.cpus) >= 64;
    });
    expect(expected.length).toBeGreaterThan(2);
    const walked: unknown[] = [];
    let url: string | undefined = `/v1/offers?${query(texts, { resource_class: 'baremetal', limit: '2' })}`;
    while (url) {
      const res = await t.as('admin').get(url);
      expect(res.status).toBe(200);
      expect(res.body.offers.length).toBeLessThanOrEqual(2);
      walked.push(...res.body.offers);
      url =
        res.body.next === undefined
          ? undefined
          : new URL(res.body.next as string).pathname + new URL(res.body.next as string).search;
    }
    expect(walked).toEqual(expected);
  });

  it.each([
    ['offers', 'cpus=>16', "Invalid constraint 'cpus=>16': a value may not start with '>'."],
    ['leases', 'gpu==a100|', "Invalid constraint 'gpu==a100|': empty alternative."],
    ['nodes', '', "Invalid constraint '': empty constraint."],
    ['offers', 'cpus 16', "Invalid constraint 'cpus 16': property name 'cpus 16' may not contain spaces or '|'."],
  ])('GET /v1/%s with the malformed constraint %j is a 400 naming it', async (list, text, faultstring) => {
    const res = await t.as(list === 'leases' ? 'lessee' : 'admin').get(`/v1/${list}?${query(['cpus>=1', text])}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ faultcode: 'Client', faultstring, debuginfo: null });
  });

  it('leaves lists without constraint as they were, and keeps none with an impossible one', async () => {
    const plain = await t.as('admin').get('/v1/offers');
    const none = await t.as('admin').get(`/v1/offers?${query(['cpus>100000'])}`);
    expect(none.status).toBe(200);
    expect(none.text).toBe('{"offers":[]}');
    expect(plain.body.offers).toHaveLength(NODES);
  });
});

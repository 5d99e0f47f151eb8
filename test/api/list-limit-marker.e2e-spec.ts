import { randomUUID } from 'node:crypto';
import { addDays, fromDate, UtcTime } from '../../src/common/time';
import { EventEntity } from '../../src/leasing/data/event.entity';
import { LeaseEntity } from '../../src/leasing/data/lease.entity';
import { OfferEntity } from '../../src/leasing/data/offer.entity';
import { insertRows } from '../helpers/insert-rows';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P, Persona } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * `limit` and `marker` on `GET /v1/offers`, `/v1/leases`, `/v1/nodes` and `/v1/events`: pages
 * of at most `limit` rows, a `next` URL after the list while rows remain, and a walk through
 * the pages that shows every row of the unpaged list once, in its order, even when rows are
 * added between two pages.
 */
describe.each(testDatabaseKinds())('limit and marker on the lists on %s', (kind) => {
  let t: TestApp;
  const now = fromDate(new Date());
  const COUNT = 25;
  const MAX_LIMIT = 20;
  const PUBLIC = 'https://esi.example.org/leap';
  let serial = 0;

  const newOffer = () => {
    const i = serial++;
    return {
      uuid: randomUUID(),
      name: `p-offer-${i}`,
      projectId: P.owner,
      lesseeId: null,
      resourceType: 'test_node',
      resourceUuid: `p-node-${i % 5}`,
      // From tomorrow: availabilities that do not move with the time of each request.
      startTime: addDays(now, 1) as UtcTime,
      endTime: addDays(now, 30) as UtcTime,
      status: 'available',
      properties: { i },
      parentLeaseUuid: null,
      createdAt: now,
    };
  };
  const newLease = () => {
    const i = serial++;
    return {
      uuid: randomUUID(),
      name: `p-lease-${i}`,
      projectId: P.lessee,
      ownerId: P.owner,
      purpose: null,
      resourceType: 'test_node',
      resourceUuid: `p-node-${i % 5}`,
      startTime: addDays(now, 40 + i) as UtcTime,
      endTime: addDays(now, 41 + i) as UtcTime,
      fulfillTime: null,
      expireTime: null,
      status: 'created',
      properties: { i },
      offerUuid: null,
      parentLeaseUuid: null,
      createdAt: now,
    };
  };
  const newEvent = () => ({
    eventType: 'esi_leap.lease.fulfill.end',
    eventTime: now,
    objectType: 'lease',
    objectUuid: randomUUID(),
    resourceType: 'test_node',
    resourceUuid: 'p-node-0',
    lesseeId: P.lessee,
    ownerId: P.owner,
    createdAt: now,
  });

  beforeAll(async () => {
    t = await createTestApp({ kind, conf: `[api]\nmax_limit = ${MAX_LIMIT}\npublic_endpoint = ${PUBLIC}/` });
    for (let n = 0; n < COUNT; n++) t.nodes.add(`p-node-${n}`, { owner: P.owner, properties: { n } });
    await insertRows(t.dataSource, OfferEntity, Array.from({ length: COUNT }, newOffer));
    await insertRows(t.dataSource, LeaseEntity, Array.from({ length: COUNT }, newLease));
    await insertRows(t.dataSource, EventEntity, Array.from({ length: COUNT }, newEvent));
  });
  afterAll(() => t.close());

  /** The path and query of a `next` URL, which is built on [api] public_endpoint. */
  const local = (next: string) => {
    expect(next.startsWith(`${PUBLIC}/v1/`)).toBe(true);
    return next.slice(PUBLIC.length);
  };

  const LISTS: readonly (readonly [string, Persona, (row: Record<string, unknown>) => string])[] = [
    ['offers', 'admin', (row) => String(row.uuid)],
    ['leases', 'lessee', (row) => String(row.uuid)],
    ['nodes', 'admin', (row) => String(row.uuid)],
    ['events', 'admin', (row) => String(row.id)],
  ];

  /** Follows `next` from `first`; `between` runs after each page. */
  async function walk(list: string, persona: Persona, first: string, limit: number, between?: () => Promise<void>) {
    const rows: Record<string, unknown>[] = [];
    const pages: number[] = [];
    let url: string | undefined = first;
    while (url !== undefined) {
      const res = await t.as(persona).get(url);
      expect(res.status).toBe(200);
      const keys = Object.keys(res.body);
      expect(keys[0]).toBe(list);
      expect(keys.slice(1)).toEqual(res.body.next === undefined ? [] : ['next']);
      const page = res.body[list] as Record<string, unknown>[];
      expect(page.length).toBeLessThanOrEqual(limit);
      if (res.body.next !== undefined) expect(page).toHaveLength(limit);
      rows.push(...page);
      pages.push(page.length);
      url = res.body.next === undefined ? undefined : local(res.body.next as string);
      if (url !== undefined) await between?.();
    }
    return { rows, pages };
  }

  it.each(LISTS)(
    'GET /v1/%s: walking every page shows the unpaged list, byte for byte',
    async (list, persona, markerOf) => {
      const unpaged = await t.as(persona).get(`/v1/${list}`);
      expect(unpaged.status).toBe(200);
      const all = unpaged.body[list] as Record<string, unknown>[];
      expect(all).toHaveLength(COUNT);
      expect(unpaged.text).not.toContain('"next"');

      const { rows, pages } = await walk(list, persona, `/v1/${list}?limit=7`, 7);
      expect(pages).toEqual([7, 7, 7, 4]);
      expect(JSON.stringify({ [list]: rows })).toBe(unpaged.text);

      // The page after a marker, and the next URL keeping the other parameters.
      const second = await t.as(persona).get(`/v1/${list}?limit=3&marker=${markerOf(all[2])}`);
      expect(second.body[list]).toEqual(all.slice(3, 6));
      expect(second.body.next).toBe(`${PUBLIC}/v1/${list}?limit=3&marker=${markerOf(all[5])}`);
      // A limit that takes the rest exactly has no next page.
      const last = await t.as(persona).get(`/v1/${list}?limit=5&marker=${markerOf(all[COUNT - 6])}`);
      expect(last.body).toEqual({ [list]: all.slice(COUNT - 5) });
      // A marker alone: every row after it.
      const rest = await t.as(persona).get(`/v1/${list}?marker=${markerOf(all[COUNT - 3])}`);
      expect(rest.body).toEqual({ [list]: all.slice(COUNT - 2) });
      // More than [api] max_limit is lowered to it.
      const capped = await t.as(persona).get(`/v1/${list}?limit=1000`);
      expect(capped.body[list]).toEqual(all.slice(0, MAX_LIMIT));
      expect(capped.body.next).toBe(`${PUBLIC}/v1/${list}?limit=1000&marker=${markerOf(all[MAX_LIMIT - 1])}`);
    },
  );

  it.each([
    ['offers', 'admin', newOffer, OfferEntity],
    ['leases', 'lessee', newLease, LeaseEntity],
    ['events', 'admin', newEvent, EventEntity],
  ] as const)(
    'GET /v1/%s: rows added between pages are shown once, none missed',
    async (list, persona, make, entity) => {
      const before = (await t.as(persona).get(`/v1/${list}`)).body[list] as Record<string, unknown>[];
      const { rows } = await walk(list, persona, `/v1/${list}?limit=10`, 10, () =>
        insertRows(t.dataSource, entity as never, [make(), make()]),
      );
      const after = (await t.as(persona).get(`/v1/${list}`)).body[list] as Record<string, unknown>[];
      // Each page added two rows after the ones listed so far: all of them are reached.
      expect(after.length).toBeGreaterThan(before.length);
      expect(rows).toEqual(after);
      const ids = rows.map((r) => String(r.uuid ?? r.id));
      expect(new Set(ids).size).toBe(ids.length);
    },
  );

  it.each([
    ['offers', 'admin', OfferEntity, 'deleted'],
    ['leases', 'lessee', LeaseEntity, 'deleted'],
  ] as const)(
    'GET /v1/%s: a marker that left the list between pages still marks its place',
    async (list, persona, entity, status) => {
      const before = (await t.as(persona).get(`/v1/${list}`)).body[list] as Record<string, unknown>[];
      const first = await t.as(persona).get(`/v1/${list}?limit=4`);
      const marker = first.body[list][3].uuid as string;
      await t.dataSource.getRepository(entity as never).update({ uuid: marker } as never, { status } as never);
      const second = await t.as(persona).get(local(first.body.next as string));
      expect(second.status).toBe(200);
      expect(second.body[list]).toEqual(before.slice(4, 8));
    },
  );

  it('GET /v1/nodes: a node enrolled between pages comes on a later page', async () => {
    const { rows } = await walk('nodes', 'admin', '/v1/nodes?limit=10', 10, async () => {
      t.nodes.add(`p-node-new-${serial++}`, { owner: P.owner });
    });
    const after = (await t.as('admin').get('/v1/nodes')).body.nodes as Record<string, unknown>[];
    expect(rows.map((n) => n.uuid)).toEqual(after.map((n) => n.uuid));
  });

  it('keeps the other parameters, repeated ones too, in the next URL', async () => {
    const res = await t.as('admin').get('/v1/offers?status=any&constraint=n%3E%3D0&constraint=!gpu&limit=2');
    expect(res.status).toBe(200);
    const next = new URL(res.body.next as string);
    expect(next.searchParams.get('status')).toBe('any');
    expect(next.searchParams.getAll('constraint')).toEqual(['n>=0', '!gpu']);
    expect(next.searchParams.get('limit')).toBe('2');
    expect(next.searchParams.get('marker')).toBe(res.body.offers[1].uuid);
  });

  it("GET /v1/events: another project's event is no marker for a non-admin", async () => {
    const events = (await t.as('admin').get('/v1/events?limit=2')).body.events as { id: number }[];
    const own = await t.as('lessee').get(`/v1/events?limit=2&marker=${events[0].id}`);
    expect(own.status).toBe(200);
    expect(own.body.events[0].id).toBe(events[1].id);
    const other = await t.as('otherLessee').get(`/v1/events?limit=2&marker=${events[0].id}`);
    expect(other.status).toBe(400);
    expect(other.body).toEqual({
      faultcode: 'Client',
      faultstring: `Marker ${events[0].id} could not be found.`,
      debuginfo: null,
    });
  });

  const unknownUuid = '11111111-2222-4333-8444-555555555555';
  it.each([
    ['offers', 'limit=0', "Invalid input for field/attribute limit. Value: '0'. Limit must be positive"],
    ['leases', 'limit=-3', "Invalid input for field/attribute limit. Value: '-3'. Limit must be positive"],
    [
      'nodes',
      'limit=ten',
      "Invalid input for field/attribute limit. Value: 'ten'. unable to convert to int. Error: invalid literal for int() with base 10: 'ten'",
    ],
    ['events', 'limit=2.5', expect.stringContaining("Value: '2.5'. unable to convert to int")],
    ['offers', `limit=2&marker=${unknownUuid}`, `Marker ${unknownUuid} could not be found.`],
    ['leases', `marker=${unknownUuid}`, `Marker ${unknownUuid} could not be found.`],
    ['nodes', `limit=2&marker=${unknownUuid}`, `Marker ${unknownUuid} could not be found.`],
    ['events', 'limit=2&marker=999999', 'Marker 999999 could not be found.'],
    ['events', 'limit=2&marker=abc', 'Marker abc could not be found.'],
    ['offers', 'limit=2&marker=', "Invalid input for field/attribute marker. Value: ''. Marker may not be empty"],
  ])('GET /v1/%s?%s is a 400', async (list, q, faultstring) => {
    const persona = list === 'leases' ? 'lessee' : 'admin';
    const res = await t.as(persona).get(`/v1/${list}?${q}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ faultcode: 'Client', faultstring, debuginfo: null });
  });
});

import fc from 'fast-check';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Property: on a random fleet (nodes with random cpus, each offered for a random part of
 * January 2031, some windows already claimed), a group booking of a random count, window and
 * constraint answers 201 exactly when that many matching nodes are free for the whole window
 * (worked out here from the rows, not by the service), books only such nodes, and never leaves
 * two occupying leases overlapping on a node; a 409 reports that free count.
 */
const SEED = Number(process.env.ESI_LEAP_PROPERTY_SEED ?? 20310101);
const RUNS = 20;
const OCCUPYING = ['created', 'active', 'wait fulfill', 'wait expire', 'wait cancel', 'error'];

const day = (d: number) => `2031-01-${String(d).padStart(2, '0')}T00:00:00`;
const ms = (value: unknown) =>
  Date.parse(String(value).replace(' ', 'T').replace(/(\.\d{3})\d*$/, '$1') + (/Z$/.test(String(value)) ? '' : 'Z'));

const windowArb = fc
  .tuple(fc.integer({ min: 1, max: 27 }), fc.integer({ min: 1, max: 5 }))
  .map(([start, length]) => ({ start, end: Math.min(28, start + length) }));

const fleetArb = fc.record({
  nodes: fc.array(
    fc.record({
      cpus: fc.constantFrom(8, 16, 32, 64),
      offer: fc
        .tuple(fc.integer({ min: 1, max: 14 }), fc.integer({ min: 7, max: 27 }))
        .map(([start, length]) => ({ start, end: Math.min(28, start + length) })),
      claims: fc.array(windowArb, { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  requests: fc.array(
    fc.record({ count: fc.integer({ min: 1, max: 4 }), window: windowArb, minCpus: fc.constantFrom(0, 16, 32, 64) }),
    { minLength: 1, maxLength: 4 },
  ),
});

describe.each(testDatabaseKinds())('lease group bookings on random fleets (%s)', (kind) => {
  let t: TestApp;
  let fleets = 0;

  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  it(`never overlap, and book exactly when enough matching nodes are free (${RUNS} fleets, seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(fleetArb, async ({ nodes, requests }) => {
        const resourceClass = `prop-${kind}-${++fleets}`;
        const uuids: string[] = [];
        for (const [i, node] of nodes.entries()) {
          const uuid = `${resourceClass}-${i}`;
          uuids.push(uuid);
          t.nodes.add(uuid, { owner: P.owner, resourceClass, properties: { cpus: node.cpus } });
          const offer = await t
            .as('owner')
            .post('/v1/offers')
            .send({ resource_uuid: uuid, start_time: day(node.offer.start), end_time: day(node.offer.end) });
          expect(offer.status).toBe(201);
          // Earlier claims, some refused because they overlap or fall outside the offer: either way fine.
          for (const w of node.claims) {
            await t
              .as('otherLessee')
              .post(`/v1/offers/${offer.body.uuid}/claim`)
              .send({ start_time: day(w.start), end_time: day(w.end) });
          }
        }
        const placeholders = uuids.map(() => '?').join(', ');
        const occupying = OCCUPYING.map((s) => `'${s}'`).join(', ');

        for (const request of requests) {
          const start = ms(day(request.window.start));
          const end = ms(day(request.window.end));
          const offers = await t.dataSource.query(
            `SELECT resource_uuid, start_time, end_time FROM offers WHERE status = 'available' AND resource_uuid IN (${placeholders})`,
            uuids,
          );
          const leases = await t.dataSource.query(
            `SELECT resource_uuid, start_time, end_time FROM leases WHERE status IN (${occupying}) AND resource_uuid IN (${placeholders})`,
            uuids,
          );
          const free = uuids.filter(
            (uuid, i) =>
              nodes[i].cpus >= request.minCpus &&
              offers.some((o: any) => o.resource_uuid === uuid && ms(o.start_time) <= start && ms(o.end_time) >= end) &&
              !leases.some((l: any) => l.resource_uuid === uuid && ms(l.start_time) < end && ms(l.end_time) > start),
          );

          const res = await t
            .as('lessee')
            .post('/v1/lease_groups')
            .send({
              count: request.count,
              resource_class: resourceClass,
              constraints: request.minCpus > 0 ? [`cpus>=${request.minCpus}`] : [],
              start_time: day(request.window.start),
              end_time: day(request.window.end),
            });
          if (free.length >= request.count) {
            expect(res.status).toBe(201);
            const booked = res.body.leases.map((l: any) => l.resource_uuid as string);
            expect(booked).toHaveLength(request.count);
            for (const uuid of booked) expect(free).toContain(uuid);
          } else {
            expect(res.status).toBe(409);
            expect(res.body.capacity).toMatchObject({ requested: request.count, free: free.length });
          }
        }

        const overlapping = await t.dataSource.query(
          `SELECT COUNT(*) AS n FROM leases x JOIN leases y ON x.id < y.id
             AND x.resource_uuid = y.resource_uuid
             AND x.start_time < y.end_time AND x.end_time > y.start_time
           WHERE x.status IN (${occupying}) AND y.status IN (${occupying}) AND x.resource_uuid IN (${placeholders})`,
          uuids,
        );
        expect(Number(overlapping[0].n)).toBe(0);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, 240_000);
});

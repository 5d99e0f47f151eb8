import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P, Persona } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';

const fault = (faultstring: string) => ({ faultcode: 'Client', faultstring, debuginfo: null });

/**
 * GET /v1/availability on a small fleet, the clock at 2039-12-31:
 *
 *   node  owner   cpus  offer 2040-01-01..02-01        bookings
 *   a1    owner    64   for anyone
 *   a2    owner    64   for anyone                     claimed by `other` 01-01..01-03
 *   a3    owner    16   for anyone
 *   a4    owner    64   for `other` only
 *   b1    owner2   64   none
 */
describe.each(testDatabaseKinds())('GET /v1/availability on %s', (kind) => {
  let t: TestApp;
  const offers: Record<string, string> = {};
  const search = (persona: Persona, query: string) => t.as(persona).get(`/v1/availability?${query}`);

  beforeAll(async () => {
    t = await createTestApp({ kind, clock: new ManualClock('2039-12-31 00:00:00.000000' as UtcTime) });
    t.nodes.add('a1', { owner: P.owner, resourceClass: 'baremetal', properties: { cpus: 64 } });
    t.nodes.add('a2', { owner: P.owner, resourceClass: 'baremetal', properties: { cpus: 64 } });
    t.nodes.add('a3', { owner: P.owner, resourceClass: 'baremetal', properties: { cpus: 16 } });
    t.nodes.add('a4', { owner: P.owner, resourceClass: 'baremetal', properties: { cpus: 64 } });
    t.nodes.add('b1', { owner: P.owner2, resourceClass: 'baremetal', properties: { cpus: 64 } });
    for (const node of ['a1', 'a2', 'a3', 'a4']) {
      const res = await t
        .as('owner')
        .post('/v1/offers')
        .send({
          resource_uuid: node,
          start_time: '2040-01-01',
          end_time: '2040-02-01',
          ...(node === 'a4' ? { lessee_id: P.other } : {}),
        });
      expect(res.status).toBe(201);
      offers[node] = res.body.uuid;
    }
    const claim = await t
      .as('otherLessee')
      .post(`/v1/offers/${offers.a2}/claim`)
      .send({ start_time: '2040-01-01', end_time: '2040-01-03' });
    expect(claim.status).toBe(201);
  });
  afterAll(() => t.close());

  it('answers the earliest window in which enough matching nodes the caller may claim are free', async () => {
    const res = await search('lessee', 'count=2&duration=P1D&constraint=cpus>=32&resource_class=baremetal');
    expect(res.status).toBe(200);
    // a4 is not for the lessee and a3 too small: a1 and a2 together once a2's claim has ended.
    expect(res.body).toEqual({
      windows: [
        {
          start_time: '2040-01-03T00:00:00',
          end_time: '2040-01-04T00:00:00',
          // The search ends 30 days after now (2040-01-30) by default.
          latest_start: '2040-01-29T00:00:00',
          count: 2,
          resources: [
            { resource_uuid: 'a1', resource: 'test-node-a1', offer_uuid: offers.a1 },
            { resource_uuid: 'a2', resource: 'test-node-a2', offer_uuid: offers.a2 },
          ],
        },
      ],
    });
  });

  it('shows a project the offers restricted to it, and another project not', async () => {
    const theirs = await search('otherLessee', 'count=2&duration=P1D&constraint=cpus>=32');
    expect(theirs.status).toBe(200);
    expect(theirs.body.windows).toHaveLength(1);
    expect(theirs.body.windows[0]).toMatchObject({
      start_time: '2040-01-01T00:00:00',
      resources: [
        { resource_uuid: 'a1', offer_uuid: offers.a1 },
        { resource_uuid: 'a4', offer_uuid: offers.a4 },
      ],
    });
    const mine = await search('lessee', 'duration=3600&limit=50');
    const seen = mine.body.windows.flatMap((w: any) => w.resources.map((r: any) => r.resource_uuid));
    expect(seen).not.toContain('a4');
  });

  it('starts at the earliest now, and stops at not_after', async () => {
    const fromNow = await search('lessee', 'duration=PT4H');
    expect(fromNow.body.windows[0]).toMatchObject({ start_time: '2040-01-01T00:00:00', count: 2 });
    const past = await search('lessee', 'duration=PT4H&not_before=2039-01-01');
    expect(past.body.windows[0].start_time).toBe('2040-01-01T00:00:00');
    const tooSoon = await search('lessee', 'count=2&duration=P1D&constraint=cpus>=32&not_after=2040-01-02T12:00:00');
    expect(tooSoon.status).toBe(200);
    expect(tooSoon.body).toEqual({ windows: [] });
  });

  it("searches an owner's own nodes with source=owned, to book directly", async () => {
    const res = await search('owner2', 'source=owned&duration=P2D&not_after=2040-01-10');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      windows: [
        {
          start_time: '2039-12-31T00:00:00',
          end_time: '2040-01-02T00:00:00',
          latest_start: '2040-01-08T00:00:00',
          count: 1,
          resources: [{ resource_uuid: 'b1', resource: 'test-node-b1', offer_uuid: null }],
        },
      ],
    });
    expect((await search('lessee', 'source=owned&duration=P2D')).body).toEqual({ windows: [] });
  });

  it('refuses a caller without a role on the policy rule', async () => {
    const res = await search('ownerNoRole', 'duration=60');
    expect(res.status).toBe(403);
    expect(res.body).toEqual(fault('Access was denied to esi_leap:availability:get.'));
  });

  it.each([
    ['count=2', 'duration is required: seconds, or ISO 8601 such as PT4H or P3D.'],
    [
      'duration=P1Y',
      "Invalid duration 'P1Y': give whole seconds, or ISO 8601 weeks, days, hours, minutes and seconds such as PT4H or P3D.",
    ],
    ['duration=60&count=0', 'count must be between 1 and 1000; got 0.'],
    ['duration=60&limit=500', 'limit must be between 1 and 50; got 500.'],
    ['duration=60&source=all', "source must be 'offers' or 'owned'; got 'all'."],
    [
      'duration=60&not_before=2040-01-01&not_after=2041-06-01',
      'not_after is at most 366 days after not_before (or now).',
    ],
    ['duration=60&not_before=2040-01-02&not_after=2040-01-01', 'not_after must be later than not_before.'],
    ['duration=60&constraint=cpus%3E%3E8', "Invalid constraint 'cpus>>8': a value may not start with '>'."],
    ['duration=60&start_time=2040-01-01', 'Unknown argument: "start_time"'],
  ])('answers %s with a 400 naming the parameter', async (query, faultstring) => {
    const res = await search('lessee', query);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fault(faultstring));
  });
});

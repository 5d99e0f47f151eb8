import { testDatabaseKinds } from '../helpers/test-databases';
import { P, Persona } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';

const fault = (faultstring: string) => ({ faultcode: 'Client', faultstring, debuginfo: null });
const WINDOW = 'start_time=2040-01-01&end_time=2040-01-15';

/**
 * GET /v1/timeline: rows, windows, filters, and who sees what (docs/web-console.md, "Who sees
 * what"). Three nodes, two owners; a lessee and another lessee claim the same offer; owner2
 * leases its node directly to the lessee.
 */
describe.each(testDatabaseKinds())('GET /v1/timeline on %s', (kind) => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const timeline = async (persona: Persona, query = WINDOW) => {
    const res = await t.as(persona).get(`/v1/timeline?${query}`);
    expect(res.status).toBe(200);
    return res;
  };
  const row = (body: any, uuid: string) => body.nodes.find((n: any) => n.uuid === uuid);

  beforeAll(async () => {
    t = await createTestApp({ kind });
    t.nodes.add('tl-a', { owner: P.owner, resourceClass: 'baremetal', properties: { cpus: 32, gpu: 'a100' } });
    t.nodes.add('tl-b', { owner: P.owner, resourceClass: 'gpu', properties: { cpus: 8 } });
    t.nodes.add('tl-c', { owner: P.owner2, resourceClass: 'baremetal', properties: { cpus: 64 } });
    const offer = async (node: string, lessee?: string) => {
      const body = {
        resource_uuid: node,
        start_time: '2040-01-01',
        end_time: '2040-02-01',
        ...(lessee ? { lessee_id: lessee } : {}),
      };
      const res = await t.as('owner').post('/v1/offers').send(body);
      expect(res.status).toBe(201);
      return res.body.uuid as string;
    };
    ids.offerA = await offer('tl-a');
    ids.offerB = await offer('tl-b', P.other);
    const claim = async (persona: Persona, name: string, start: string, end: string) => {
      const res = await t
        .as(persona)
        .post(`/v1/offers/${ids.offerA}/claim`)
        .send({ name, purpose: `${name} purpose`, start_time: start, end_time: end });
      expect(res.status).toBe(201);
      return res.body.uuid as string;
    };
    ids.mine = await claim('lessee', 'lessee-exp', '2040-01-05', '2040-01-07');
    ids.theirs = await claim('otherLessee', 'other-exp', '2040-01-10', '2040-01-12');
    const direct = await t
      .as('owner2')
      .post('/v1/leases')
      .send({
        resource_uuid: 'tl-c',
        project_id: P.lessee,
        name: 'direct',
        start_time: '2040-01-03',
        end_time: '2040-01-04',
      });
    expect(direct.status).toBe(201);
    ids.direct = direct.body.uuid;
    // Outside the window: never read.
    const later = await t
      .as('owner2')
      .post('/v1/leases')
      .send({ resource_uuid: 'tl-c', project_id: P.lessee, start_time: '2040-03-01', end_time: '2040-03-02' });
    expect(later.status).toBe(201);
  });
  afterAll(() => t.close());

  it('answers one row per listed node, in inventory order, with the window and the caller', async () => {
    const { body } = await timeline('lessee');
    expect(body).toMatchObject({
      start_time: '2040-01-01T00:00:00',
      end_time: '2040-01-15T00:00:00',
      resource_type: 'test_node',
      viewer: { project_id: P.lessee, project_name: 'lessee' },
    });
    expect(body.nodes.map((n: any) => n.uuid)).toEqual(['tl-a', 'tl-b', 'tl-c']);
    expect(row(body, 'tl-a')).toMatchObject({
      name: 'test-node-tl-a',
      resource_class: 'baremetal',
      properties: { cpus: 32, gpu: 'a100' },
      owner_id: P.owner,
      owner: 'owner',
      owned: false,
      health: { healthy: true, flags: [], reason: null },
    });
    expect(row(body, 'tl-c').leases.map((l: any) => l.uuid)).toEqual([ids.direct]);
  });

  it('shows the lessee its own lease in full and the other lessee’s only as a busy window', async () => {
    const res = await timeline('lessee');
    const a = row(res.body, 'tl-a');
    expect(a.leases).toEqual([
      {
        uuid: ids.mine,
        name: 'lessee-exp',
        project_id: P.lessee,
        project: 'lessee',
        owner_id: P.owner,
        owner: 'owner',
        purpose: 'lessee-exp purpose',
        start_time: '2040-01-05T00:00:00',
        end_time: '2040-01-07T00:00:00',
        status: 'created',
        offer_uuid: ids.offerA,
        parent_lease_uuid: null,
        mine: true,
      },
    ]);
    expect(a.busy).toEqual([{ start_time: '2040-01-10T00:00:00', end_time: '2040-01-12T00:00:00' }]);
    // Nothing of the other project's lease is anywhere in the answer.
    for (const secret of [ids.theirs, 'other-exp', P.other, '"other"']) expect(res.text).not.toContain(secret);
    // The offer and its free windows inside the timeline's window (both leases make it busy).
    expect(a.offers).toEqual([
      expect.objectContaining({
        uuid: ids.offerA,
        project: 'owner',
        lessee_id: null,
        availabilities: [
          ['2040-01-01T00:00:00', '2040-01-05T00:00:00'],
          ['2040-01-07T00:00:00', '2040-01-10T00:00:00'],
          ['2040-01-12T00:00:00', '2040-01-15T00:00:00'],
        ],
      }),
    ]);
    // An offer restricted to another project is not shown, as in GET /v1/offers.
    expect(row(res.body, 'tl-b').offers).toEqual([]);
  });

  it('shows the other lessee the mirror image, and its restricted offer', async () => {
    const { body } = await timeline('otherLessee');
    const a = row(body, 'tl-a');
    expect(a.leases.map((l: any) => [l.name, l.mine])).toEqual([['other-exp', true]]);
    expect(a.busy).toEqual([{ start_time: '2040-01-05T00:00:00', end_time: '2040-01-07T00:00:00' }]);
    expect(row(body, 'tl-b').offers.map((o: any) => o.uuid)).toEqual([ids.offerB]);
    expect(row(body, 'tl-c').leases).toEqual([]);
    expect(row(body, 'tl-c').busy).toEqual([{ start_time: '2040-01-03T00:00:00', end_time: '2040-01-04T00:00:00' }]);
  });

  it('shows an owner who holds its nodes, and another owner’s bookings only as busy', async () => {
    const { body } = await timeline('owner');
    const a = row(body, 'tl-a');
    expect(a.owned).toBe(true);
    expect(a.leases.map((l: any) => [l.name, l.project, l.mine])).toEqual([
      ['lessee-exp', 'lessee', false],
      ['other-exp', 'other', false],
    ]);
    expect(a.busy).toEqual([]);
    expect(row(body, 'tl-c').owned).toBe(false);
    expect(row(body, 'tl-c').leases).toEqual([]);
    expect(row(body, 'tl-c').busy).toHaveLength(1);
  });

  it('shows an admin everything in full', async () => {
    const { body } = await timeline('admin');
    expect(body.nodes.flatMap((n: any) => n.busy)).toEqual([]);
    expect(body.nodes.flatMap((n: any) => n.leases.map((l: any) => l.uuid)).sort()).toEqual(
      [ids.mine, ids.theirs, ids.direct].sort(),
    );
    expect(row(body, 'tl-b').offers).toHaveLength(1);
  });

  it('drops cancelled leases and frees their window', async () => {
    const extra = await t
      .as('lessee')
      .post(`/v1/offers/${ids.offerA}/claim`)
      .send({ start_time: '2040-01-13', end_time: '2040-01-14' });
    expect(extra.status).toBe(201);
    await t.as('lessee').delete(`/v1/leases/${extra.body.uuid}`).expect(200);
    const a = row((await timeline('lessee')).body, 'tl-a');
    expect(a.leases.map((l: any) => l.uuid)).toEqual([ids.mine]);
    expect(a.offers[0].availabilities.at(-1)).toEqual(['2040-01-12T00:00:00', '2040-01-15T00:00:00']);
  });

  it('filters rows by resource class and by ANDed property constraints', async () => {
    const uuids = async (query: string) =>
      (await timeline('admin', `${WINDOW}&${query}`)).body.nodes.map((n: any) => n.uuid);
    expect(await uuids('resource_class=gpu')).toEqual(['tl-b']);
    expect(await uuids('constraint=cpus>=32')).toEqual(['tl-a', 'tl-c']);
    expect(await uuids('constraint=cpus>=32&constraint=gpu')).toEqual(['tl-a']);
    expect(await uuids(`constraint=${encodeURIComponent('gpu==a100|h100')}&resource_class=baremetal`)).toEqual([
      'tl-a',
    ]);
    expect(await uuids('constraint=!gpu')).toEqual(['tl-b', 'tl-c']);
  });

  it('uses a week around now without a window', async () => {
    const { body } = await timeline('lessee', '');
    const start = Date.parse(`${body.start_time}Z`);
    const end = Date.parse(`${body.end_time}Z`);
    const now = Date.parse(`${body.now}Z`);
    expect(end - start).toBe(7 * 86_400_000);
    expect(now - start).toBe(86_400_000);
  });

  it.each([
    ['constraint=cpus=>16', "Invalid constraint 'cpus=>16': a value may not start with '>'."],
    [
      'start_time=2040-01-01',
      'Attempted to get a timeline resource without providing both a valid Start Time and End Time. Start Time must be strictly less than End Time. Got 2040-01-01 00:00:00, None.',
    ],
    [
      'start_time=2040-01-02&end_time=2040-01-01',
      'Attempted to get a timeline resource without providing both a valid Start Time and End Time. Start Time must be strictly less than End Time. Got 2040-01-02 00:00:00, 2040-01-01 00:00:00.',
    ],
    ['start_time=2040-01-01&end_time=2041-01-03', 'A timeline window is at most 366 days long.'],
    [
      'start_time=tomorrow&end_time=2040-01-01',
      "Invalid input for field/attribute start_time. Value: 'tomorrow'. unable to convert to datetime. Error: Unknown string format: tomorrow",
    ],
    ['owner=owner', 'Unknown argument: "owner"'],
  ])('answers 400 to %s', async (query, message) => {
    const res = await t.as('lessee').get(`/v1/timeline?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fault(message));
  });

  it('writes a fleet of several chunks whole, each node with its own bookings', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `tl-z${String(i).padStart(2, '0')}`);
    for (const name of names) t.nodes.add(name, { owner: P.owner, resourceClass: 'many' });
    const late = names[21];
    const offer = await t
      .as('owner')
      .post('/v1/offers')
      .send({ resource_uuid: late, start_time: '2040-01-01', end_time: '2040-02-01' });
    expect(offer.status).toBe(201);
    const res = await timeline('admin', `${WINDOW}&resource_class=many`);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.body.nodes.map((n: any) => n.uuid)).toEqual(names);
    expect(res.body.nodes.map((n: any) => n.offers.map((o: any) => o.uuid))).toEqual(
      names.map((n) => (n === late ? [offer.body.uuid] : [])),
    );
    expect(res.body.viewer).toEqual({ project_id: P.admin, project_name: 'admin' });
  });

  it('is refused to a caller without a role (esi_leap:timeline:get)', async () => {
    const res = await t.as('member').get(`/v1/timeline?${WINDOW}`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      faultcode: 'Client',
      faultstring: 'Access was denied to esi_leap:timeline:get.',
      debuginfo: null,
    });
  });
});

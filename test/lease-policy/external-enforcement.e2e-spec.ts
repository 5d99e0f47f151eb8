import { UtcTime } from '../../src/common/time';
import { BookingService, NewLeaseFields } from '../../src/leasing/booking/booking.service';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P, Persona } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';
import { EnforcementService } from './enforcement-service';

const TOKEN = 's3cret-token';
const GENERIC = 'External service enforcement filter denied the request.';
const UNAVAILABLE = {
  faultcode: 'Server',
  faultstring: 'The external enforcement service is unavailable.',
  debuginfo: null,
};

/** Waits for `done()` to hold: the on-end relay runs on its own loop, every two seconds. */
async function eventually(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(testDatabaseKinds())('external enforcement service, Blazar protocol (%s)', (kind) => {
  let service: EnforcementService;
  let t: TestApp;
  let seq = 0;

  const offerOn = async () => {
    const node = `enf-${++seq}`;
    t.nodes.add(node, { owner: P.owner, name: `host-${seq}`, resourceClass: 'gpu', properties: { cpus: 8 } });
    const res = await t
      .as('owner')
      .post('/v1/offers')
      .send({ resource_uuid: node, start_time: '2030-01-01', end_time: '2031-01-01' });
    expect(res.status).toBe(201);
    return { node, offer: res.body.uuid as string };
  };
  const claim = (offer: string, persona: Persona = 'lessee', body: Record<string, unknown> = {}) =>
    t
      .as(persona)
      .post(`/v1/offers/${offer}/claim`)
      .send({ start_time: '2030-06-02T00:00:00', end_time: '2030-06-03T00:00:00', ...body });
  const leasesOn = (node: string) =>
    t.dataSource.query('SELECT uuid FROM leases WHERE resource_uuid = ?', [node]) as Promise<unknown[]>;

  beforeAll(async () => {
    service = new EnforcementService();
    const url = await service.start();
    t = await createTestApp({
      kind,
      manager: 'jobs',
      conf: [
        '[enforcement]',
        `external_url = ${url}/blazar/`,
        `external_token = ${TOKEN}`,
        'external_timeout = 0.5',
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await t?.close();
    await service?.stop();
  });
  beforeEach(() => {
    service.decide = () => ({ status: 204 });
  });

  it('asks check-create before a claim with the lease as Blazar shapes it, and books on 204', async () => {
    const { node, offer } = await offerOn();
    const before = service.received.length;
    const res = await claim(offer, 'lessee', { name: 'mine' });
    expect(res.status).toBe(201);
    const calls = service.received.slice(before);
    expect(calls.map((c) => c.path)).toEqual(['/blazar/check-create']);
    expect(calls[0].headers['x-auth-token']).toBe(TOKEN);
    expect(calls[0].headers['content-type']).toBe('application/json');
    expect(calls[0].body).toEqual({
      context: { user_id: 'user-of-lessee', project_id: P.lessee, auth_url: null, region_name: null },
      lease: {
        name: 'mine',
        start_date: '2030-06-02T00:00:00',
        end_date: '2030-06-03T00:00:00',
        user_id: 'user-of-lessee',
        project_id: P.lessee,
        reservations: [
          {
            resource_type: 'physical:host',
            min: 1,
            max: 1,
            hypervisor_properties: '',
            resource_properties: '',
            allocations: [
              {
                id: node,
                hypervisor_hostname: `host-${seq}`,
                extra: {
                  cpus: 8,
                  resource_class: 'gpu',
                  esi_leap_resource_type: 'test_node',
                  offer_uuid: offer,
                  parent_lease_uuid: null,
                },
              },
            ],
          },
        ],
      },
    });
  });

  it("refuses with the service's message on 403, and with Blazar's generic one when it gives none", async () => {
    const { node, offer } = await offerOn();
    service.decide = () => ({ status: 403, body: JSON.stringify({ message: 'You shall not pass!' }) });
    const denied = await claim(offer);
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ faultcode: 'Client', faultstring: 'You shall not pass!', debuginfo: null });
    service.decide = () => ({ status: 403, body: '<html>nope</html>' });
    expect((await claim(offer)).body.faultstring).toBe(GENERIC);
    expect(await leasesOn(node)).toEqual([]);
  });

  it.each([
    ['answers 500', { status: 500 }],
    ['answers 404', { status: 404 }],
    ['takes longer than external_timeout', { status: 204, delayMs: 2000 }],
    ['hangs up', { hangUp: true as const }],
  ])('fails closed when the service %s: 503 naming it, nothing booked', async (_name, reply) => {
    const { node, offer } = await offerOn();
    service.decide = () => reply;
    const res = await claim(offer);
    expect([res.status, res.body]).toEqual([503, UNAVAILABLE]);
    expect(await leasesOn(node)).toEqual([]);
  });

  it('asks check-update with the current and the new lease before an extension, and not for a shortening', async () => {
    const { offer } = await offerOn();
    const lease = (await claim(offer)).body.uuid;
    const before = service.received.length;
    service.decide = (call) =>
      call.body.lease.end_date === '2030-06-05T00:00:00'
        ? { status: 403, body: JSON.stringify({ message: 'Two days at most.' }) }
        : { status: 204 };
    expect((await t.as('admin').patch(`/v1/leases/${lease}`).send({ end_time: '2030-06-04T00:00:00' })).status).toBe(
      200,
    );
    const refused = await t.as('admin').patch(`/v1/leases/${lease}`).send({ end_time: '2030-06-05T00:00:00' });
    expect([refused.status, refused.body.faultstring]).toEqual([403, 'Two days at most.']);
    expect((await t.as('admin').patch(`/v1/leases/${lease}`).send({ end_time: '2030-06-03T12:00:00' })).status).toBe(
      200,
    );
    const calls = service.received.slice(before);
    expect(calls.map((c) => c.path)).toEqual(['/blazar/check-update', '/blazar/check-update']);
    expect(calls[0].body.context).toEqual({
      user_id: 'user-of-admin',
      project_id: P.lessee,
      auth_url: null,
      region_name: null,
    });
    expect(calls[0].body.current_lease).toMatchObject({
      id: lease,
      status: 'created',
      end_date: '2030-06-03T00:00:00',
    });
    expect(calls[0].body.lease).toMatchObject({
      id: lease,
      start_date: '2030-06-02T00:00:00',
      end_date: '2030-06-04T00:00:00',
    });
    expect(calls[0].body.lease.reservations[0].allocations[0].extra.offer_uuid).toBe(offer);
    expect((await t.as('admin').get(`/v1/leases/${lease}`)).body.end_time).toBe('2030-06-03T12:00:00');
  });

  it('asks once for a group booked together, with every node as an allocation; never for offers', async () => {
    const nodes = [`grp-${++seq}`, `grp-${++seq}`];
    for (const node of nodes) t.nodes.add(node, { owner: P.owner });
    const before = service.received.length;
    const member = (node: string): NewLeaseFields => ({
      name: 'group',
      projectId: P.lessee,
      ownerId: P.owner,
      purpose: null,
      resourceType: 'test_node',
      resourceUuid: node,
      start: '2030-07-01 00:00:00.000000' as UtcTime,
      end: '2030-07-02 00:00:00.000000' as UtcTime,
      properties: {},
      offerUuid: null,
      parentLeaseUuid: null,
    });
    await t.app.get(BookingService).createLeases(nodes.map(member));
    const calls = service.received.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0].body.lease.reservations[0]).toMatchObject({ min: 2, max: 2 });
    expect(calls[0].body.lease.reservations[0].allocations.map((a: any) => a.id)).toEqual(nodes);
    await offerOn();
    expect(service.received).toHaveLength(before + 1);
  });

  it('posts on-end once a lease has ended, from the events outbox, again after a failed attempt', async () => {
    const { offer } = await offerOn();
    const lease = (await claim(offer)).body.uuid;
    let failed = false;
    service.decide = (call) => {
      if (call.path.endsWith('/on-end') && !failed) {
        failed = true;
        return { status: 503 };
      }
      return { status: 204 };
    };
    expect((await t.as('lessee').delete(`/v1/leases/${lease}`)).status).toBe(200);
    const endsOf = () => service.callsTo('on-end').filter((c) => c.body.lease.id === lease);
    await eventually(() => endsOf().length === 2, 'the second on-end');
    expect(endsOf()[1].body).toMatchObject({
      context: { user_id: null, project_id: P.lessee },
      lease: { id: lease, status: 'deleted', project_id: P.lessee, end_date: '2030-06-03T00:00:00' },
    });
  });
});

describe.each(testDatabaseKinds())('external enforcement service failing open (%s)', (kind) => {
  let service: EnforcementService;
  let t: TestApp;

  beforeAll(async () => {
    service = new EnforcementService();
    const url = await service.start();
    t = await createTestApp({
      kind,
      conf: ['[enforcement]', `external_url = ${url}`, 'external_timeout = 0.5', 'external_fail_open = true'].join(
        '\n',
      ),
    });
  });
  afterAll(async () => {
    await t?.close();
    await service?.stop();
  });

  it('books when the service fails, still refuses when it denies', async () => {
    t.nodes.add('open-1', { owner: P.owner });
    const offer = (await t.as('owner').post('/v1/offers').send({ resource_uuid: 'open-1', start_time: '2030-01-01' }))
      .body.uuid;
    service.decide = () => ({ status: 500 });
    const claimed = await t
      .as('lessee')
      .post(`/v1/offers/${offer}/claim`)
      .send({ start_time: '2030-02-01', end_time: '2030-02-02' });
    expect(claimed.status).toBe(201);
    expect(service.callsTo('check-create')).toHaveLength(1);
    service.decide = () => ({ status: 403, body: JSON.stringify({ message: 'Over budget.' }) });
    const denied = await t
      .as('lessee')
      .post(`/v1/offers/${offer}/claim`)
      .send({ start_time: '2030-03-01', end_time: '2030-03-02' });
    expect([denied.status, denied.body.faultstring]).toEqual([403, 'Over budget.']);
  });
});

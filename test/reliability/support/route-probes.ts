import type { Response as TestResponse } from 'supertest';
import { TestApp } from '../../support/test-app';
import { P } from '../../support/projects';

/** One request to one route, as the caller allowed to make it. */
export interface Probe {
  readonly name: string;
  /** True when the request writes to the database (a read-only database refuses it). */
  readonly write: boolean;
  send(): Promise<TestResponse>;
}

/**
 * One request per API route that uses the database, each writing request on fresh data (a new
 * node, a later window, the next spare offer) so that every probe can be sent again and again.
 * Creates its fixtures through the API, so the database must be serving when it is called.
 */
export async function routeProbes(t: TestApp): Promise<Probe[]> {
  let seq = 0;
  const day = (n: number) => new Date(Date.UTC(2040, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
  const freshNode = () => {
    const uuid = `probe-node-${++seq}`;
    t.nodes.add(uuid, { owner: P.owner });
    return uuid;
  };
  t.nodes.add('probe-console', { owner: P.owner });
  const offer = await t
    .as('owner')
    .post('/v1/offers')
    .send({ resource_uuid: freshNode(), start_time: day(0), end_time: day(3000) });
  const lease = await t
    .as('owner')
    .post('/v1/leases')
    .send({ resource_uuid: freshNode(), project_id: P.lessee, start_time: day(0), end_time: day(1) });
  // Offers to delete, one per successful DELETE probe.
  const spare: string[] = [];
  for (let i = 0; i < 16; i++)
    spare.push((await t.as('owner').post('/v1/offers').send({ resource_uuid: freshNode() })).body.uuid as string);
  expect([offer.status, lease.status]).toEqual([201, 201]);
  let claimDay = 0;
  let leaseEnd = 1;
  const deleted = async (res: TestResponse) => {
    if (res.status === 200) spare.shift();
    return res;
  };
  return [
    { name: 'GET /v1/offers', write: false, send: () => t.as('lessee').get('/v1/offers') },
    { name: 'GET /v1/offers/{uuid}', write: false, send: () => t.as('owner').get(`/v1/offers/${offer.body.uuid}`) },
    { name: 'GET /v1/leases', write: false, send: () => t.as('owner').get('/v1/leases') },
    { name: 'GET /v1/leases/{uuid}', write: false, send: () => t.as('admin').get(`/v1/leases/${lease.body.uuid}`) },
    { name: 'GET /v1/events', write: false, send: () => t.as('admin').get('/v1/events') },
    { name: 'GET /v1/nodes', write: false, send: () => t.as('admin').get('/v1/nodes') },
    {
      name: 'POST /v1/offers',
      write: true,
      send: () => t.as('owner').post('/v1/offers').send({ resource_uuid: freshNode() }),
    },
    {
      name: 'POST /v1/offers/{uuid}/claim',
      write: true,
      send: () =>
        t
          .as('lessee')
          .post(`/v1/offers/${offer.body.uuid}/claim`)
          .send({ start_time: day(++claimDay), end_time: `${day(claimDay)}T12:00:00` }),
    },
    {
      name: 'POST /v1/leases',
      write: true,
      send: () => t.as('owner').post('/v1/leases').send({ resource_uuid: freshNode(), project_id: P.lessee }),
    },
    {
      name: 'PATCH /v1/leases/{uuid}',
      write: true,
      send: () =>
        t
          .as('admin')
          .patch(`/v1/leases/${lease.body.uuid}`)
          .send({ end_time: `${day(++leaseEnd)}T00:00:00` }),
    },
    {
      name: 'DELETE /v1/offers/{uuid}',
      write: true,
      send: async () => {
        if (spare.length === 0) throw new Error('routeProbes: no spare offer left to delete');
        return deleted(await t.as('owner').delete(`/v1/offers/${spare[0]}`));
      },
    },
    {
      name: 'POST /v1/console_auth_tokens',
      write: true,
      send: () => t.as('owner').post('/v1/console_auth_tokens').send({ node_uuid_or_name: 'probe-console' }),
    },
    {
      name: 'DELETE /v1/console_auth_tokens/{node}',
      write: true,
      send: () => t.as('owner').delete('/v1/console_auth_tokens/probe-console'),
    },
  ];
}

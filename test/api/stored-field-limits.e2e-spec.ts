import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { testDatabaseKinds } from '../helpers/test-databases';
import { createTestApp, TestApp } from '../support/test-app';
import { P, Persona } from '../support/projects';

/**
 * Every value a client sends that is stored is checked against the width of its column
 * (upstream's schema: names 35 characters, purpose and project ids 255, resource ids 36,
 * properties a MySQL TEXT of 65,535 bytes): a 400 in the error format and nothing stored, on
 * SQLite (which enforces no width) exactly as on MariaDB (which would refuse the row).
 */
const fault = (faultstring: string) => ({ faultcode: 'Client', faultstring, debuginfo: null });
const tooLong = (field: string, value: string, max: number) =>
  fault(
    `Invalid input for field/attribute ${field}. Value: '${value}'. Value should have a maximum character requirement of ${max}`,
  );
const tooBig = (bytes: number) =>
  fault(
    `Invalid input for field/attribute properties. Value is ${bytes} bytes as stored JSON text. Value should have a maximum size of 65535 bytes`,
  );

/** `{"pad":"…"}` whose JSON text is exactly `bytes` bytes, padded with `unit` (1 or 2 bytes in UTF-8). */
function propertiesOf(bytes: number, unit = 'x'): Record<string, string> {
  const overhead = Buffer.byteLength('{"pad":""}');
  const unitBytes = Buffer.byteLength(unit);
  const filler = bytes - overhead;
  return { pad: unit.repeat(Math.floor(filler / unitBytes)) + 'x'.repeat(filler % unitBytes) };
}

const TABLES = ['offers', 'leases', 'events', 'console_auth_tokens'];

describe.each(testDatabaseKinds())('stored fields within their column widths on %s', (kind) => {
  let t: TestApp;
  let offerUuid: string;
  let leaseUuid: string;
  const LONG_NODE = 'n'.repeat(256);

  const counts = async () => {
    const result: Record<string, number> = {};
    for (const table of TABLES)
      result[table] = Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
    return result;
  };

  /** Sends the request, expects the 400 and that no table gained or lost a row. */
  async function refused(persona: Persona, url: string, body: unknown, expected: ReturnType<typeof fault>) {
    const before = await counts();
    const res = await t
      .as(persona)
      .post(url)
      .send(body as object);
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: expected });
    expect(await counts()).toEqual(before);
  }

  beforeAll(async () => {
    t = await createTestApp({ kind });
    t.nodes.add('w-node', { owner: P.owner });
    t.nodes.add('w-offer-node', { owner: P.owner });
    t.nodes.add(LONG_NODE, { owner: P.owner });
    mkdirSync(t.dummyNodeDir, { recursive: true });
    for (const id of ['d'.repeat(36), 'd'.repeat(37)]) {
      writeFileSync(path.join(t.dummyNodeDir, id), JSON.stringify({ project_owner_id: P.owner }));
    }
    const offer = await t
      .as('owner')
      .post('/v1/offers')
      .send({ resource_uuid: 'w-offer-node', start_time: '2040-01-01', end_time: '2041-01-01' });
    expect(offer.status).toBe(201);
    offerUuid = offer.body.uuid;
    const lease = await t
      .as('owner')
      .post('/v1/leases')
      .send({ resource_uuid: 'w-node', project_id: P.lessee, start_time: '2040-01-01', end_time: '2040-01-02' });
    expect(lease.status).toBe(201);
    leaseUuid = lease.body.uuid;
  });
  afterAll(() => t.close());

  it('offers: name, lessee_id, resource_uuid and properties over their widths are a 400', async () => {
    const node = { resource_uuid: 'w-node', start_time: '2050-01-01', end_time: '2050-02-01' };
    await refused('owner', '/v1/offers', { ...node, name: 'o'.repeat(36) }, tooLong('name', 'o'.repeat(36), 35));
    await refused(
      'owner',
      '/v1/offers',
      { ...node, lessee_id: 'l'.repeat(256) },
      tooLong('lessee_id', 'l'.repeat(256), 255),
    );
    await refused(
      'owner',
      '/v1/offers',
      { ...node, resource_uuid: LONG_NODE },
      tooLong('resource_uuid', LONG_NODE, 255),
    );
    await refused('owner', '/v1/offers', { ...node, properties: propertiesOf(65_536) }, tooBig(65_536));
    // Bytes, not characters: 2-byte letters reach the limit with half as many.
    await refused('owner', '/v1/offers', { ...node, properties: propertiesOf(65_537, 'é') }, tooBig(65_537));
    await refused(
      'owner',
      '/v1/offers',
      { resource_type: 'dummy_node', resource_uuid: 'd'.repeat(37) },
      fault(`A dummy_node id is at most 36 characters long; '${'d'.repeat(37)}' has 37.`),
    );
  });

  it('offers: values at the widths are stored whole (characters are code points, TEXT is bytes)', async () => {
    const name = '🦄'.repeat(35);
    const properties = propertiesOf(65_535, 'é');
    const res = await t
      .as('owner')
      .post('/v1/offers')
      .send({ resource_uuid: 'w-node', name, properties, start_time: '2051-01-01', end_time: '2051-02-01' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name, properties });
    const [row] = await t.dataSource.query('SELECT name, properties FROM offers WHERE uuid = ?', [res.body.uuid]);
    expect(row.name).toBe(name);
    expect(Buffer.byteLength(row.properties)).toBe(65_535);
    const dummy = await t
      .as('owner')
      .post('/v1/offers')
      .send({ resource_type: 'dummy_node', resource_uuid: 'd'.repeat(36) });
    expect(dummy.status).toBe(201);
    expect(dummy.body.resource_uuid).toBe('d'.repeat(36));
  });

  it('leases: name, purpose, project_id and properties over their widths are a 400', async () => {
    const base = { resource_uuid: 'w-node', project_id: P.lessee, start_time: '2052-01-01', end_time: '2052-01-02' };
    await refused('owner', '/v1/leases', { ...base, name: 'l'.repeat(36) }, tooLong('name', 'l'.repeat(36), 35));
    await refused(
      'owner',
      '/v1/leases',
      { ...base, purpose: 'p'.repeat(256) },
      tooLong('purpose', 'p'.repeat(256), 255),
    );
    await refused(
      'owner',
      '/v1/leases',
      { ...base, project_id: 'q'.repeat(256) },
      tooLong('project_id', 'q'.repeat(256), 255),
    );
    await refused(
      'owner',
      '/v1/leases',
      { ...base, resource_uuid: LONG_NODE },
      tooLong('resource_uuid', LONG_NODE, 255),
    );
    await refused('owner', '/v1/leases', { ...base, properties: propertiesOf(70_000) }, tooBig(70_000));
    const purpose = '🦄'.repeat(255);
    const ok = await t
      .as('owner')
      .post('/v1/leases')
      .send({ ...base, purpose, name: 'n'.repeat(35) });
    expect(ok.status).toBe(201);
    expect(ok.body.purpose).toBe(purpose);
  });

  it('claims: name, purpose and properties over their widths are a 400', async () => {
    const url = `/v1/offers/${offerUuid}/claim`;
    const window = { start_time: '2040-02-01', end_time: '2040-02-02' };
    await refused('lessee', url, { ...window, name: 'c'.repeat(36) }, tooLong('name', 'c'.repeat(36), 35));
    await refused('lessee', url, { ...window, purpose: 'p'.repeat(256) }, tooLong('purpose', 'p'.repeat(256), 255));
    await refused('lessee', url, { ...window, properties: propertiesOf(65_536) }, tooBig(65_536));
    // An ignored attribute is not stored, so its size does not matter.
    const ok = await t
      .as('lessee')
      .post(url)
      .send({ ...window, resource_uuid: 'r'.repeat(1000), purpose: 'p'.repeat(255) });
    expect(ok.status).toBe(201);
  });

  it('console tokens: a node id over the width of console_auth_tokens.node_uuid is a 400', async () => {
    await refused(
      'owner',
      '/v1/console_auth_tokens',
      { node_uuid_or_name: LONG_NODE },
      tooLong('node_uuid_or_name', LONG_NODE, 255),
    );
  });

  it('a faultstring shows the first 300 characters of a huge value', async () => {
    const huge = 'h'.repeat(500_000);
    const res = await t
      .as('owner')
      .post('/v1/leases')
      .send({ resource_uuid: 'w-node', project_id: P.lessee, purpose: huge });
    expect(res.status).toBe(400);
    expect(res.body.faultstring).toBe(tooLong('purpose', `${'h'.repeat(300)}...`, 255).faultstring);
    // The PATCH of a lease stores only a strictly formatted end_time.
    const patch = await t.as('admin').patch(`/v1/leases/${leaseUuid}`).send({ end_time: huge });
    expect(patch.status).toBe(400);
  });
});

const mariadb = testDatabaseKinds().filter((kind) => kind === 'mariadb');
(mariadb.length ? describe : describe.skip)('values the MariaDB schema cannot hold, past the input checks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind: 'mariadb' });
    t.nodes.add('m-node', { owner: P.owner });
  });
  afterAll(() => t.close());

  const offerCount = async () => Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM offers'))[0].n);

  it("a column narrower than upstream's (data too long) is a 400 naming it, and nothing is stored", async () => {
    await t.dataSource.query('ALTER TABLE offers MODIFY name VARCHAR(10) NULL');
    try {
      const before = await offerCount();
      const res = await t
        .as('owner')
        .post('/v1/offers')
        .send({ resource_uuid: 'm-node', name: 'x'.repeat(20) });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        fault('Invalid input for field/attribute name. Value too long for its database column.'),
      );
      expect(await offerCount()).toBe(before);
    } finally {
      await t.dataSource.query('ALTER TABLE offers MODIFY name VARCHAR(35) NULL');
    }
  });

  it('a 4-byte character in a utf8mb3 column (an upstream database made with charset=utf8) is a 400', async () => {
    await t.dataSource.query('ALTER TABLE offers MODIFY name VARCHAR(35) CHARACTER SET utf8mb3 NULL');
    try {
      const before = await offerCount();
      const res = await t.as('owner').post('/v1/offers').send({ resource_uuid: 'm-node', name: 'node 🦄' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        fault('Invalid input for field/attribute name. Value has characters its database column cannot store.'),
      );
      expect(await offerCount()).toBe(before);
      const plain = await t.as('owner').post('/v1/offers').send({ resource_uuid: 'm-node', name: 'node é' });
      expect(plain.status).toBe(201);
    } finally {
      await t.dataSource.query('ALTER TABLE offers MODIFY name VARCHAR(35) NULL');
    }
  });
});

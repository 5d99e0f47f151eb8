import { testDatabaseKinds } from '../helpers/test-databases';
import { createTestApp, TestApp } from '../support/test-app';
import { headersFor, P, Persona } from '../support/projects';

/**
 * JSON as upstream's Python reads and writes it: numbers in `properties` survive POST →
 * database → GET exactly (integers of any size, floats as Python writes them), and a body is
 * parsed with a nesting limit, so a deep one is a 400 rather than a stack overflow.
 */
const fault = (faultstring: string) => ({ faultcode: 'Client', faultstring, debuginfo: null });

/** The numbers as sent, and as Python's json writes them back. */
const SENT =
  '{"big": 12345678901234567890, "neg": -98765432109876543210987654321, "edge": 9007199254740993, "one": 1.0, "tiny": 1e-7, "hundred": 1E2, "plain": 2.5, "list": [18446744073709551615, {"deep": 1.50}]}';
const WRITTEN =
  '{"big":12345678901234567890,"neg":-98765432109876543210987654321,"edge":9007199254740993,"one":1.0,"tiny":1e-07,"hundred":100.0,"plain":2.5,"list":[18446744073709551615,{"deep":1.5}]}';

describe.each(testDatabaseKinds())('JSON bodies on %s', (kind) => {
  let t: TestApp;
  let seq = 0;
  const node = () => {
    const uuid = `json-node-${++seq}`;
    t.nodes.add(uuid, { owner: P.owner });
    return uuid;
  };
  /** A POST with a hand-written JSON text (supertest would JSON.stringify an object). */
  const postText = (persona: Persona, url: string, text: string) =>
    t.http().post(url).set(headersFor(persona)).set('Content-Type', 'application/json').send(text);
  const getText = async (persona: Persona, url: string) => {
    const res = await t.http().get(url).set(headersFor(persona));
    expect(res.status).toBe(200);
    return res.text;
  };
  const counts = async () =>
    Promise.all(
      ['offers', 'leases'].map(async (table) =>
        Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n),
      ),
    );

  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  it('offers: numbers in properties round-trip exactly through the database (show, list, stored text)', async () => {
    const res = await postText('owner', '/v1/offers', `{"resource_uuid": "${node()}", "properties": ${SENT}}`);
    expect(res.status).toBe(201);
    expect(res.text).toContain(`"properties":${WRITTEN}`);
    const uuid = res.body.uuid as string;
    expect(await getText('owner', `/v1/offers/${uuid}`)).toContain(`"properties":${WRITTEN}`);
    expect(await getText('owner', '/v1/offers')).toContain(`"properties":${WRITTEN}`);
    const [row] = await t.dataSource.query('SELECT properties FROM offers WHERE uuid = ?', [uuid]);
    expect(row.properties).toBe(WRITTEN);
  });

  it('leases and claims: the same for lease properties', async () => {
    const created = await postText(
      'owner',
      '/v1/leases',
      `{"resource_uuid": "${node()}", "project_id": "${P.lessee}", "start_time": "2035-01-01", "end_time": "2035-01-02", "properties": ${SENT}}`,
    );
    expect(created.status).toBe(201);
    expect(created.text).toContain(`"properties":${WRITTEN}`);
    expect(await getText('admin', `/v1/leases/${created.body.uuid}`)).toContain(`"properties":${WRITTEN}`);

    const offer = await t.as('owner').post('/v1/offers').send({ resource_uuid: node() });
    expect(offer.status).toBe(201);
    const claimed = await postText('lessee', `/v1/offers/${offer.body.uuid}/claim`, `{"properties": ${SENT}}`);
    expect(claimed.status).toBe(201);
    expect(claimed.text).toContain(`"properties":${WRITTEN}`);
    expect(await getText('lessee', '/v1/leases')).toContain(`"properties":${WRITTEN}`);
    const [row] = await t.dataSource.query('SELECT properties FROM leases WHERE uuid = ?', [claimed.body.uuid]);
    expect(row.properties).toBe(WRITTEN);
  });

  it('a number where a string belongs is reported with its Python type and text', async () => {
    const res = await postText('owner', '/v1/offers', '{"resource_uuid": 12345678901234567890}');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      fault(
        "Invalid input for field/attribute resource_uuid. Value: '12345678901234567890'. Wrong type. Expected '<class 'str'>', got '<class 'int'>'",
      ),
    );
    const float = await postText('owner', '/v1/offers', '{"resource_uuid": 1.0}');
    expect(float.body.faultstring).toBe(
      "Invalid input for field/attribute resource_uuid. Value: '1.0'. Wrong type. Expected '<class 'str'>', got '<class 'float'>'",
    );
    const notDict = await postText('owner', '/v1/offers', '{"resource_uuid": "x", "properties": 1.0}');
    expect(notDict.status).toBe(400);
    expect(notDict.body.faultstring).toMatch(/Value not a valid dict: float$/);
  });

  it('a float beyond the double range (Python: inf, written as the non-JSON Infinity) is a 400', async () => {
    const before = await counts();
    const res = await postText('owner', '/v1/offers', `{"resource_uuid": "${node()}", "properties": {"x": 1e400}}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fault('Request is not in valid JSON format'));
    expect(await counts()).toEqual(before);
  });

  it('bodies nested beyond 100 levels are a 400, not a stack overflow; 100 levels are fine', async () => {
    const offer = await t.as('owner').post('/v1/offers').send({ resource_uuid: node() });
    const before = await counts();
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const [url, text] of [
      [`/v1/offers/${offer.body.uuid}/claim`, `{"name": ${deep}}`],
      [`/v1/offers/${offer.body.uuid}/claim`, deep],
      ['/v1/leases', `{"properties": {"a": ${deep}}}`],
      ['/v1/console_auth_tokens', `{"node_uuid_or_name": ${deep}}`],
    ]) {
      const res = await postText('lessee', url, text);
      expect({ url, status: res.status, body: res.body }).toEqual({
        url,
        status: 400,
        body: fault('Request body is nested deeper than 100 levels.'),
      });
    }
    const patch = await t
      .http()
      .patch(`/v1/leases/${offer.body.uuid}`)
      .set(headersFor('admin'))
      .set('Content-Type', 'application/json')
      .send(`{"end_time": ${deep}}`);
    expect(patch.status).toBe(400);
    expect(await counts()).toEqual(before);

    // The body object is level 1, properties level 2: 98 more arrays make 100.
    const nested = '['.repeat(98) + '1' + ']'.repeat(98);
    const ok = await postText('owner', '/v1/offers', `{"resource_uuid": "${node()}", "properties": {"a": ${nested}}}`);
    expect(ok.status).toBe(201);
    const tooDeep = await postText(
      'owner',
      '/v1/offers',
      `{"resource_uuid": "${node()}", "properties": {"a": [${nested}]}}`,
    );
    expect(tooDeep.status).toBe(400);
  });

  it('bodies up to the 1 MiB limit are read (ignored attributes may be large)', async () => {
    const filler = 'r'.repeat(1024 * 1024 - 200);
    const text = `{"resource_uuid": "${node()}", "resource_properties": {"pad": "${filler}", "n": 1.0}}`;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024 * 1024);
    const res = await postText('owner', '/v1/offers', text);
    expect(res.status).toBe(201);
    const over = await postText('owner', '/v1/offers', text.replace('"n"', `"${'m'.repeat(300)}"`));
    expect(over.status).toBe(413);
  });
});

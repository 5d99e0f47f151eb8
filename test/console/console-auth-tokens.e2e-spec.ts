import { ConsoleAuthTokenEntity } from '../../src/console/tokens/console-auth-token.entity';
import { hashConsoleToken } from '../../src/console/tokens/console-token';
import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';

describe('console auth tokens API', () => {
  let t: TestApp;
  const rows = () => t.dataSource.getRepository(ConsoleAuthTokenEntity).find({ order: { id: 'ASC' } });
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    t = await createTestApp();
    t.nodes.add('cn-1', { name: 'console-node', owner: P.owner });
    t.nodes.add('cn-2', { owner: P.owner });
  });
  afterAll(() => t.close());
  beforeEach(() => t.dataSource.getRepository(ConsoleAuthTokenEntity).clear());

  it('POST creates a token: 201 {node_uuid, token, access_url}, console enabled, only the hash stored', async () => {
    const before = nowSeconds();
    const res = await t.as('owner').post('/v1/console_auth_tokens').send({ node_uuid_or_name: 'cn-1' });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(['node_uuid', 'token', 'access_url']);
    const { node_uuid: nodeUuid, token, access_url: accessUrl } = res.body;
    expect(nodeUuid).toBe('cn-1');
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(accessUrl).toBe(`ws://0.0.0.0:6083/?token=${token}`);
    expect(t.nodes.nodes.get('cn-1')?.consoleEnabled).toBe(true);

    const [row] = await rows();
    expect(row).toMatchObject({ nodeUuid: 'cn-1', tokenHash: hashConsoleToken(token) });
    expect(row.expires).toBeGreaterThanOrEqual(before + 600);
    expect(row.expires).toBeLessThanOrEqual(nowSeconds() + 600);
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('token_ttl: a number or numeric string; extra keys ignored', async () => {
    const before = nowSeconds();
    const number = await t
      .as('owner')
      .post('/v1/console_auth_tokens')
      .send({ node_uuid_or_name: 'cn-1', token_ttl: 30, extra: 1 });
    expect(number.status).toBe(201);
    const text = await t
      .as('owner')
      .post('/v1/console_auth_tokens')
      .send({ node_uuid_or_name: 'cn-1', token_ttl: '10' });
    expect(text.status).toBe(201);
    expect(number.body.token).not.toBe(text.body.token);
    const [first, second] = await rows();
    expect(first.expires - before).toBeGreaterThanOrEqual(30);
    expect(first.expires - nowSeconds()).toBeLessThanOrEqual(30);
    expect(second.expires - nowSeconds()).toBeLessThanOrEqual(10);
  });

  it.each([
    [{ node_uuid_or_name: 'cn-1', token_ttl: '0' }, 400, 'An unknown exception occurred.'],
    [{ node_uuid_or_name: 'cn-1', token_ttl: -5 }, 400, 'An unknown exception occurred.'],
    [{ node_uuid_or_name: 'cn-1', token_ttl: 'abc' }, 400, "invalid literal for int() with base 10: 'abc'"],
    [{ node_uuid_or_name: 'nope', token_ttl: 'abc' }, 400, "invalid literal for int() with base 10: 'abc'"],
    [{ token_ttl: 30 }, 400, 'Missing argument: "node_uuid_or_name"'],
    [{}, 400, 'Missing argument: "node_uuid_or_name"'],
    [
      ['cn-1'],
      400,
      "Invalid input for field/attribute new_console_auth_token. Value: '['cn-1']'. Value not a valid dict: list",
    ],
    [
      { node_uuid_or_name: 'nope' },
      404,
      'Encountered an error fetching info for node nope (test_node): Node not found',
    ],
  ])('POST %j → %i %s', async (body, status, faultstring) => {
    const res = await t.as('owner').post('/v1/console_auth_tokens').send(body);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ faultcode: 'Client', faultstring, debuginfo: null });
    expect(await rows()).toEqual([]);
  });

  it('POST without a body → 400 Missing argument "new_console_auth_token"', async () => {
    const res = await t.as('owner').post('/v1/console_auth_tokens');
    expect(res.status).toBe(400);
    expect(res.body.faultstring).toBe('Missing argument: "new_console_auth_token"');
  });

  it('unknown query parameters → 400', async () => {
    const post = await t.as('owner').post('/v1/console_auth_tokens?foo=1').send({ node_uuid_or_name: 'cn-1' });
    expect(post.status).toBe(400);
    expect(post.body.faultstring).toBe('Unknown argument: "foo"');
    const del = await t.as('owner').delete('/v1/console_auth_tokens/cn-1?bar=1');
    expect(del.status).toBe(400);
    expect(del.body.faultstring).toBe('Unknown argument: "bar"');
    expect(await rows()).toEqual([]);
  });

  it('DELETE revokes every token of that node only: 200 null', async () => {
    for (const node of ['cn-1', 'cn-1', 'cn-2']) {
      await t.as('owner').post('/v1/console_auth_tokens').send({ node_uuid_or_name: node }).expect(201);
    }
    const res = await t.as('owner').delete('/v1/console_auth_tokens/cn-1');
    expect(res.status).toBe(200);
    expect(res.text).toBe('null');
    expect((await rows()).map((r) => r.nodeUuid)).toEqual(['cn-2']);

    const missing = await t.as('owner').delete('/v1/console_auth_tokens/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.faultstring).toBe(
      'Encountered an error fetching info for node nope (test_node): Node not found',
    );
  });

  it('GET on the collection is 405', async () => {
    expect((await t.as('owner').get('/v1/console_auth_tokens')).status).toBe(405);
  });
});

describe('console auth tokens API with [serialconsoleproxy] public_url', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ conf: '[serialconsoleproxy]\npublic_url = wss://console.example.com/\n' });
    t.nodes.add('cn-1', { owner: P.owner });
  });
  afterAll(() => t.close());

  it('access_url uses the public URL, wss included', async () => {
    const res = await t.as('owner').post('/v1/console_auth_tokens').send({ node_uuid_or_name: 'cn-1' });
    expect(res.status).toBe(201);
    expect(res.body.access_url).toBe(`wss://console.example.com/?token=${res.body.token}`);
  });
});

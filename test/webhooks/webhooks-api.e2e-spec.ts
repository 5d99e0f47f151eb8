import { testDatabaseKinds } from '../helpers/test-databases';
import { P } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';

const WEBHOOKS_ON = [
  '[webhooks]',
  'enabled = true',
  'secret_keys = a key of at least sixteen characters',
  'allow_private_targets = true',
  'max_per_project = 3',
].join('\n');

const URL_A = 'http://127.0.0.1:9/hooks/a';

/** `/v1/webhooks`: registration per project, who may see and delete what, input checks, the per-project limit. */
describe.each(testDatabaseKinds())('/v1/webhooks on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ kind, conf: WEBHOOKS_ON });
  });
  afterAll(() => t?.close());

  it('creates a webhook for the caller project, shows its secret once, and stores it sealed', async () => {
    const res = await t
      .as('lessee')
      .post('/v1/webhooks')
      .send({
        url: URL_A,
        event_types: ['esi_leap.lease.end_soon', 'esi_leap.lease.fulfill.*'],
        secret: 'a tenant chosen secret',
      });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      project_id: P.lessee,
      url: URL_A,
      event_types: ['esi_leap.lease.end_soon', 'esi_leap.lease.fulfill.*'],
      created_at: expect.any(String),
      secret: 'a tenant chosen secret',
    });
    const shown = await t.as('lessee').get(`/v1/webhooks/${res.body.uuid}`).expect(200);
    expect(shown.body).not.toHaveProperty('secret');
    expect(shown.body).toEqual({ ...res.body, secret: undefined });
    const [row] = (await t.dataSource.query('SELECT secret FROM webhooks WHERE id = ?', [res.body.uuid])) as Array<{
      secret: string;
    }>;
    expect(row.secret).not.toContain('a tenant chosen secret');
    expect(row.secret).not.toContain(Buffer.from('a tenant chosen secret').toString('base64'));

    const generated = await t
      .as('lessee')
      .post('/v1/webhooks')
      .send({ url: URL_A, event_types: ['*'] });
    expect(generated.status).toBe(201);
    expect(generated.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await t.as('lessee').delete(`/v1/webhooks/${generated.body.uuid}`).expect(200);
  });

  it("lists the caller's project's webhooks; other projects see and delete nothing of it; admins see any project's", async () => {
    const own = await t
      .as('owner')
      .post('/v1/webhooks')
      .send({ url: URL_A, event_types: ['*'] });
    expect(own.status).toBe(201);
    const list = await t.as('owner').get('/v1/webhooks').expect(200);
    expect(list.body.webhooks.map((w: { uuid: string }) => w.uuid)).toEqual([own.body.uuid]);

    expect((await t.as('otherLessee').get('/v1/webhooks')).body).toEqual({ webhooks: [] });
    expect((await t.as('otherLessee').get(`/v1/webhooks?project_id=${P.owner}`)).status).toBe(403);
    const foreign = await t.as('otherLessee').get(`/v1/webhooks/${own.body.uuid}`);
    expect(foreign.status).toBe(403);
    expect(foreign.body.faultstring).toBe(`Access was denied to webhook ${own.body.uuid}.`);
    expect((await t.as('otherLessee').get(`/v1/webhooks/${own.body.uuid}/deliveries`)).status).toBe(403);
    expect((await t.as('otherLessee').delete(`/v1/webhooks/${own.body.uuid}`)).status).toBe(403);

    const asAdmin = await t.as('admin').get(`/v1/webhooks?project_id=${P.owner}`).expect(200);
    expect(asAdmin.body.webhooks.map((w: { uuid: string }) => w.uuid)).toEqual([own.body.uuid]);

    expect((await t.as('owner').delete(`/v1/webhooks/${own.body.uuid}`)).body).toBeNull();
    const gone = await t.as('owner').get(`/v1/webhooks/${own.body.uuid}`);
    expect(gone.status).toBe(404);
    expect(gone.body.faultstring).toBe(`Webhook ${own.body.uuid} not found.`);
    expect((await t.as('owner').get('/v1/webhooks')).body).toEqual({ webhooks: [] });
  });

  it('a project member without an esi-leap role may not register one', async () => {
    const res = await t
      .as('member')
      .post('/v1/webhooks')
      .send({ url: URL_A, event_types: ['*'] });
    expect(res.status).toBe(403);
    expect(res.body.faultstring).toBe('Access was denied to esi_leap:webhook:create.');
  });

  it.each([
    [
      'no url',
      { event_types: ['*'] },
      "Invalid input for field/attribute url. Value: 'None'. Mandatory field missing.",
    ],
    [
      'no event_types',
      { url: URL_A },
      "Invalid input for field/attribute event_types. Value: 'None'. Mandatory field missing.",
    ],
    [
      'event_types not a list',
      { url: URL_A, event_types: 'esi_leap.lease.end_soon' },
      expect.stringContaining("event_types. Value: 'esi_leap.lease.end_soon'. Wrong type. Expected a list of strings"),
    ],
    [
      'event_types with a number',
      { url: URL_A, event_types: ['esi_leap.lease.end_soon', 7] },
      expect.stringContaining('Wrong type. Expected a list of strings'),
    ],
    [
      'no event type',
      { url: URL_A, event_types: [] },
      'Invalid input for field/attribute event_types. Give between 1 and 32 event types',
    ],
    [
      'a malformed event type',
      { url: URL_A, event_types: ['lease ends'] },
      expect.stringContaining("Value: 'lease ends'. Expected an event type"),
    ],
    [
      'a short secret',
      { url: URL_A, event_types: ['*'], secret: 'short' },
      'Invalid input for field/attribute secret. Value should have at least 16 characters',
    ],
    [
      'a project_id',
      { url: URL_A, event_types: ['*'], project_id: P.other },
      expect.stringContaining("project_id. Value: 'd0000000000000000000000000000007'. Cannot set read only field."),
    ],
    [
      'an unknown attribute',
      { url: URL_A, event_types: ['*'], colour: 'red' },
      'Unknown attribute for argument webhook: colour',
    ],
    [
      'an ftp URL',
      { url: 'ftp://127.0.0.1/x', event_types: ['*'] },
      'Invalid webhook url ftp://127.0.0.1/x: only http and https URLs are allowed.',
    ],
    [
      'credentials in the URL',
      { url: 'http://user:pw@127.0.0.1/x', event_types: ['*'] },
      'Invalid webhook url http://user:pw@127.0.0.1/x: credentials in the URL are not allowed.',
    ],
    ['not a URL', { url: 'not a url', event_types: ['*'] }, 'Invalid webhook url not a url: not a URL.'],
    [
      'the metadata address',
      { url: 'http://169.254.169.254/latest', event_types: ['*'] },
      'Invalid webhook url http://169.254.169.254/latest: address 169.254.169.254 is a cloud metadata address.',
    ],
    [
      'a URL longer than its column',
      { url: `http://127.0.0.1/${'x'.repeat(1100)}`, event_types: ['*'] },
      expect.stringContaining('Value should have a maximum character requirement of 1024'),
    ],
  ])('refuses %s with 400 and creates nothing', async (_case, body, faultstring) => {
    const before = await t.dataSource.query('SELECT COUNT(*) AS n FROM webhooks');
    const res = await t.as('lessee').post('/v1/webhooks').send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ faultcode: 'Client', faultstring, debuginfo: null });
    expect(await t.dataSource.query('SELECT COUNT(*) AS n FROM webhooks')).toEqual(before);
  });

  it('refuses a bad deliveries limit and an unknown query argument', async () => {
    const hook = await t
      .as('childLessee')
      .post('/v1/webhooks')
      .send({ url: URL_A, event_types: ['*'] });
    expect((await t.as('childLessee').get(`/v1/webhooks/${hook.body.uuid}/deliveries?limit=0`)).status).toBe(400);
    expect((await t.as('childLessee').get(`/v1/webhooks/${hook.body.uuid}/deliveries?limit=x`)).status).toBe(400);
    expect((await t.as('childLessee').get(`/v1/webhooks/${hook.body.uuid}/deliveries?limit=1000`)).body).toEqual({
      deliveries: [],
    });
    expect((await t.as('childLessee').get('/v1/webhooks?colour=red')).status).toBe(400);
    await t.as('childLessee').delete(`/v1/webhooks/${hook.body.uuid}`).expect(200);
  });

  it('never lets a project pass [webhooks] max_per_project, even with creations racing', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t
          .as('grandchildLessee')
          .post('/v1/webhooks')
          .send({ url: `${URL_A}/${i}`, event_types: ['*'] }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused.map((a) => [a.status, a.body.faultstring])).toEqual(
      refused.map(() => [
        403,
        `Project ${P.grandchild} already has 3 webhooks, the most [webhooks] max_per_project allows.`,
      ]),
    );
    const [{ n }] = (await t.dataSource.query('SELECT COUNT(*) AS n FROM webhooks WHERE project_id = ?', [
      P.grandchild,
    ])) as Array<{ n: unknown }>;
    expect(Number(n)).toBe(3);
  });

  it('documents the routes', async () => {
    const document = (await t.http().get('/docs-json').expect(200)).body;
    expect(
      Object.keys(document.paths)
        .filter((p) => p.startsWith('/v1/webhooks'))
        .sort(),
    ).toEqual(['/v1/webhooks', '/v1/webhooks/{webhook_id}', '/v1/webhooks/{webhook_id}/deliveries']);
  });
});

/** With an upstream configuration the routes do not exist: the answers are those of any unknown path. */
describe('/v1/webhooks without [webhooks] enabled', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it.each([
    ['get', '/v1/webhooks', '/v1/nothing'],
    ['post', '/v1/webhooks', '/v1/nothing'],
    ['get', '/v1/webhooks/abc', '/v1/nothing/abc'],
    ['delete', '/v1/webhooks/abc', '/v1/nothing/abc'],
    ['get', '/v1/webhooks/abc/deliveries', '/v1/nothing/abc/deliveries'],
  ] as const)('%s %s answers as %s does', async (method, path, unknown) => {
    const [res, reference] = await Promise.all([t.as('lessee')[method](path), t.as('lessee')[method](unknown)]);
    expect([res.status, res.text]).toEqual([reference.status, reference.text]);
    expect(res.status).toBeGreaterThanOrEqual(404);
  });
});

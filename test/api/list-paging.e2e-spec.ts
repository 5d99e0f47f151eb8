import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { addDays, fromDate, UtcTime } from '../../src/common/time';
import { LeaseEntity } from '../../src/leasing/data/lease.entity';
import { LeasePresenter } from '../../src/leasing/views/lease.presenter';
import { LeasesRepository } from '../../src/leasing/data/leases.repository';
import { LEASE_LIST_PAGE } from '../../src/leases/lease-list.service';
import { LeaseStatusName } from '../../src/leasing/data/statuses';
import { NODE_LIST_PAGE } from '../../src/nodes/nodes.service';
import { OfferEntity } from '../../src/leasing/data/offer.entity';
import { insertRows } from '../helpers/insert-rows';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * `GET /v1/leases` and `GET /v1/nodes` read their rows a page at a time while the response is
 * written (keyset by id; pages of nodes): lists longer than a page must come out exactly as
 * one rendering of every row would, in id order, each row once, whatever is written between
 * two pages; a page that fails after the first bytes cuts the connection.
 */
describe.each(testDatabaseKinds())('lists read in pages on %s', (kind) => {
  let t: TestApp;
  let repo: LeasesRepository;
  const now = fromDate(new Date());
  // Two full pages and a partial one.
  const COUNT = 2 * LEASE_LIST_PAGE + 37;
  const STATUSES: LeaseStatusName[] = ['created', 'active', 'expired', 'deleted', 'error'];
  const RARE_FROM = 2 * LEASE_LIST_PAGE + 10;

  const newLease = (i: number, status: LeaseStatusName): Omit<LeaseEntity, 'id' | 'updatedAt'> => ({
    uuid: randomUUID(),
    name: i % 5 === 0 ? null : `paged-${i}`,
    projectId: i % 3 === 0 ? P.lessee : P.child,
    ownerId: i % 2 === 0 ? P.owner : P.owner2,
    purpose: i % 4 === 0 ? 'research' : null,
    resourceType: 'test_node',
    // The last rows sit on nodes of a class no earlier row has.
    resourceUuid: i >= RARE_FROM ? `paged-rare-${i % 3}` : `paged-node-${i % 40}`,
    startTime: addDays(now, i % 7) as UtcTime,
    endTime: addDays(now, (i % 7) + 1) as UtcTime,
    fulfillTime: status === 'active' ? now : null,
    expireTime: null,
    status,
    properties: { i, note: i % 9 === 0 ? 'grüße "q" \\ \u2028' : null },
    offerUuid: null,
    parentLeaseUuid: null,
    createdAt: now,
  });

  const insertLeases = (rows: readonly object[]) => insertRows(t.dataSource, LeaseEntity, rows);

  /** The body the whole list rendered as one page would have (what the service sent before paging). */
  async function renderedAtOnce(where: (l: LeaseEntity) => boolean): Promise<string> {
    const all = await t.dataSource.getRepository(LeaseEntity).find({ order: { id: 'ASC' } });
    const render = await t.app.get(LeasePresenter).pageRenderer();
    return JSON.stringify({ leases: [...(await render(all.filter(where)))] });
  }

  beforeAll(async () => {
    t = await createTestApp({ kind });
    for (let n = 0; n < 40; n++) {
      t.nodes.add(`paged-node-${n}`, { owner: P.owner, resourceClass: n % 2 ? 'baremetal' : 'gpu', properties: { n } });
    }
    for (let n = 0; n < 3; n++) t.nodes.add(`paged-rare-${n}`, { owner: P.owner, resourceClass: 'rare' });
    await insertLeases(Array.from({ length: COUNT }, (_, i) => newLease(i, STATUSES[i % STATUSES.length])));
    repo = t.app.get(LeasesRepository);
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  it('lists more than a page in id order, byte for byte as one rendering of all rows', async () => {
    const pages = jest.spyOn(repo, 'listPage');
    const res = await t.as('admin').get('/v1/leases?view=all&status=any');
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.body.leases).toHaveLength(COUNT);
    expect(res.text).toBe(await renderedAtOnce(() => true));
    // Two full pages, the partial third one, and no query after a partial page.
    expect(pages).toHaveBeenCalledTimes(3);

    // Rows on page boundaries render as they show one by one.
    for (const i of [0, LEASE_LIST_PAGE - 1, LEASE_LIST_PAGE, 2 * LEASE_LIST_PAGE, COUNT - 1]) {
      const lease = res.body.leases[i];
      expect((await t.as('admin').get(`/v1/leases/${lease.uuid}`)).body).toEqual(lease);
    }
  });

  it.each([
    ['view=all', (l: LeaseEntity) => ['created', 'active', 'error'].includes(l.status)],
    ['view=all&status=expired', (l: LeaseEntity) => l.status === 'expired'],
    [`view=all&status=any&owner_id=${P.owner}`, (l: LeaseEntity) => l.ownerId === P.owner],
    [`project_id=${P.lessee}&status=any`, (l: LeaseEntity) => l.projectId === P.lessee],
    ['view=all&status=any&purpose=research', (l: LeaseEntity) => l.purpose === 'research'],
  ])('filters across pages: %s', async (query, where) => {
    const res = await t.as('admin').get(`/v1/leases?${query}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe(await renderedAtOnce(where));
  });

  it('applies resource_class to every page, and answers a list found only on a late page', async () => {
    const rare = await t.as('admin').get('/v1/leases?view=all&status=any&resource_class=rare');
    expect(rare.status).toBe(200);
    expect(rare.body.leases).toHaveLength(COUNT - RARE_FROM);
    expect(rare.headers['content-length']).toBe(String(Buffer.byteLength(rare.text)));
    expect(rare.text).toBe(await renderedAtOnce((l) => l.resourceUuid.startsWith('paged-rare-')));

    const gpu = await t.as('admin').get('/v1/leases?view=all&status=any&resource_class=gpu');
    const gpuNodes = new Set(Array.from({ length: 20 }, (_, n) => `paged-node-${2 * n}`));
    expect(gpu.text).toBe(await renderedAtOnce((l) => gpuNodes.has(l.resourceUuid)));
  });

  it('lists each row once and in id order when rows are written between two pages', async () => {
    const before = await t.dataSource.getRepository(LeaseEntity).find({ order: { id: 'ASC' } });
    const added = Array.from({ length: 3 }, (_, i) => newLease(10_000 + i, 'created'));
    const shown = (l: LeaseEntity) => ['created', 'active', 'error'].includes(l.status);
    // The default statuses of view=all: more than a page of rows.
    expect(before.filter(shown).length).toBeGreaterThan(LEASE_LIST_PAGE);
    const firstRow = before.find(shown)!;
    const lateRow = before.filter(shown).pop()!;
    const original = repo.listPage.bind(repo);
    let calls = 0;
    jest.spyOn(repo, 'listPage').mockImplementation(async (...args) => {
      const page = await original(...args);
      if (++calls === 1) {
        // After the first page: new rows, a row of the first page and one of a later page cancelled.
        await insertLeases(added);
        await t.dataSource.getRepository(LeaseEntity).update({ uuid: firstRow.uuid }, { status: 'deleted' });
        await t.dataSource.getRepository(LeaseEntity).update({ uuid: lateRow.uuid }, { status: 'deleted' });
      }
      return page;
    });
    const res = await t.as('admin').get('/v1/leases?view=all');
    expect(res.status).toBe(200);
    expect(calls).toBeGreaterThan(1);
    const listed = (res.body.leases as Array<{ uuid: string; status: string }>).map((l) => l.uuid);
    const expected = [
      ...before.filter((l) => shown(l) && l.uuid !== lateRow.uuid).map((l) => l.uuid),
      ...added.map((l) => l.uuid),
    ];
    expect(listed).toEqual(expected);
    expect(new Set(listed).size).toBe(listed.length);
    // The row read before it changed shows as read.
    expect(res.body.leases[0]).toMatchObject({ uuid: firstRow.uuid, status: firstRow.status });
    expect(res.text).toBe(JSON.stringify(res.body));

    // Put the data back for the other tests.
    await t.dataSource.getRepository(LeaseEntity).delete(added.map((l) => ({ uuid: l.uuid })));
    for (const row of [firstRow, lateRow]) {
      await t.dataSource.getRepository(LeaseEntity).update({ uuid: row.uuid }, { status: row.status });
    }
  });

  it('cuts the connection, and logs once, when a page fails after the first bytes went out', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const original = repo.listPage.bind(repo);
    let calls = 0;
    jest.spyOn(repo, 'listPage').mockImplementation(async (...args) => {
      if (++calls === 2) throw new Error('Connection lost: The server closed the connection.');
      return original(...args);
    });
    const outcome = await rawGet(`${await t.url()}/v1/leases?view=all&status=any`);
    expect(outcome.status).toBe(200);
    expect(outcome.completed).toBe(false);
    expect(outcome.body.startsWith('{"leases":[{')).toBe(true);
    expect(outcome.body.endsWith(']}')).toBe(false);
    const aborted = logged.mock.calls.filter(([message]) => String(message).includes('/v1/leases'));
    expect(aborted).toHaveLength(1);
    expect(String(aborted[0][0])).toMatch(/list aborted after 200 .*Connection lost/);
    // The service goes on answering.
    expect((await t.as('admin').get('/v1/leases?view=all&status=expired')).status).toBe(200);
  });

  it('answers a plain 500 fault when a page fails before anything was sent', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const original = repo.listPage.bind(repo);
    let calls = 0;
    jest.spyOn(repo, 'listPage').mockImplementation(async (...args) => {
      if (++calls === 2) throw new Error('Connection lost');
      return original(...args);
    });
    // No row of the first page has this class: nothing is written before the second page.
    const res = await t.as('admin').get('/v1/leases?view=all&status=any&resource_class=rare');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ faultcode: 'Server', faultstring: 'An unknown exception occurred.', debuginfo: null });
    expect(logged.mock.calls.filter(([message]) => String(message).includes('/v1/leases'))).toHaveLength(1);
  });

  it('decorates a node list longer than a page with the offers and leases of each node', async () => {
    const count = NODE_LIST_PAGE + 150;
    const uuids = Array.from({ length: count }, (_, n) => `paged-many-${String(n).padStart(5, '0')}`);
    for (const uuid of uuids) t.nodes.add(uuid, { owner: P.owner2, properties: { uuid } });
    // Every 97th node, on both pages: a current and a future offer, a created lease.
    const decorated = uuids.filter((_, n) => n % 97 === 0 || n === count - 1);
    const offer = (uuid: string, start: number, end: number): Omit<OfferEntity, 'id' | 'updatedAt'> => ({
      uuid: randomUUID(),
      name: null,
      projectId: P.owner2,
      lesseeId: null,
      resourceType: 'test_node',
      resourceUuid: uuid,
      startTime: addDays(now, start),
      endTime: addDays(now, end),
      status: 'available',
      properties: {},
      parentLeaseUuid: null,
      createdAt: now,
    });
    const current = decorated.map((uuid) => offer(uuid, -1, 5));
    const future = decorated.map((uuid) => offer(uuid, 10, 20));
    const leases = decorated.map((uuid, i) => ({ ...newLease(i, 'created'), resourceUuid: uuid }));
    await insertRows(t.dataSource, OfferEntity, [...current, ...future]);
    await insertLeases(leases);

    const res = await t.as('admin').get(`/v1/nodes?owner=${P.owner2}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe(JSON.stringify(res.body));
    const nodes = res.body.nodes as Array<Record<string, unknown>>;
    expect(nodes.map((n) => n.uuid)).toEqual(uuids);
    nodes.forEach((node, n) => {
      const d = decorated.indexOf(uuids[n]);
      expect(node.offer_uuid).toBe(d < 0 ? undefined : current[d].uuid);
      expect(node.future_offers).toEqual(d < 0 ? [] : [future[d].uuid]);
      expect(node.future_leases).toEqual(d < 0 ? [] : [leases[d].uuid]);
      expect(node.owner).toBe('owner2');
    });
  });
});

/** A GET read to its end or to the connection's end, whichever comes first. */
function rawGet(url: string): Promise<{ status: number; body: string; completed: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { 'X-Project-Id': P.admin, 'X-Roles': 'admin' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body, completed: res.complete }));
      res.on('error', () => resolve({ status: res.statusCode!, body, completed: false }));
      res.on('aborted', () => resolve({ status: res.statusCode!, body, completed: false }));
    });
    req.on('error', reject);
  });
}

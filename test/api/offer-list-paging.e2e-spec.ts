import { randomUUID } from 'node:crypto';
import { UtcTime } from '../../src/common/time';
import { LeaseEntity } from '../../src/leasing/data/lease.entity';
import { BusyIntervalsRepository } from '../../src/leasing/data/busy-intervals.repository';
import { OffersRepository } from '../../src/leasing/data/offers.repository';
import { LeaseStatusName, OfferStatusName } from '../../src/leasing/data/statuses';
import { OfferEntity } from '../../src/leasing/data/offer.entity';
import { OfferPresenter } from '../../src/leasing/views/offer.presenter';
import { OFFER_LIST_PAGE } from '../../src/offers/offer-list.service';
import { insertRows } from '../helpers/insert-rows';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * `GET /v1/offers` reads its offers a page at a time (keyset by id), each page with its own
 * busy intervals, while the response is written: a list longer than a page must come out
 * exactly as one rendering of every offer would, in id order, each offer once.
 */
describe.each(testDatabaseKinds())('offer lists read in pages on %s', (kind) => {
  let t: TestApp;
  let repo: BusyIntervalsRepository;
  // Two full pages and a partial one.
  const COUNT = 2 * OFFER_LIST_PAGE + 37;
  // Offers and leases in 2040: the availabilities do not depend on when the test runs.
  const at = (day: number, hour = 0) => `2040-01-${String(day).padStart(2, '0')} ${String(hour).padStart(2, '0')}:00:00.000000` as UtcTime;
  const STATUSES: OfferStatusName[] = ['available', 'available', 'available', 'expired', 'deleted'];
  const EVER = '0001-01-01 00:00:00.000000' as UtcTime;
  const LESSEES = [null, null, P.lessee, P.other];
  const offers: OfferEntity[] = [];
  const busy = new Map<string, Array<[UtcTime, UtcTime]>>();

  const newOffer = (i: number): Omit<OfferEntity, 'id' | 'updatedAt'> => ({
    uuid: randomUUID(),
    name: i % 5 === 0 ? null : `paged-offer-${i}`,
    projectId: i % 2 === 0 ? P.owner : P.owner2,
    lesseeId: LESSEES[i % LESSEES.length],
    resourceType: 'test_node',
    resourceUuid: `offer-node-${i % 40}`,
    startTime: at(1),
    endTime: at(28),
    status: STATUSES[i % STATUSES.length],
    properties: { i, note: i % 9 === 0 ? 'grüße "q" \\ \u2028' : null },
    parentLeaseUuid: null,
    createdAt: at(1),
  });

  const occupying = (offer: OfferEntity, startDay: number, endDay: number, status: LeaseStatusName): Omit<LeaseEntity, 'id' | 'updatedAt'> => ({
    uuid: randomUUID(),
    name: null,
    projectId: P.lessee,
    ownerId: offer.projectId,
    purpose: null,
    resourceType: 'test_node',
    resourceUuid: offer.resourceUuid,
    startTime: at(startDay),
    endTime: at(endDay),
    fulfillTime: null,
    expireTime: null,
    status,
    properties: {},
    offerUuid: offer.uuid,
    parentLeaseUuid: null,
    createdAt: at(1),
  });

  /** The body the offers matching `where` would have rendered as one page. */
  async function renderedAtOnce(where: (o: OfferEntity) => boolean): Promise<string> {
    const shown = offers.filter(where);
    const byUuid = await t.app.get(BusyIntervalsRepository).ofOffers<string>({ uuids: shown.map((o) => o.uuid) }, EVER);
    const byId = new Map(shown.map((o) => [o.id, byUuid.get(o.uuid) ?? []]));
    const views = await t.app.get(OfferPresenter).many(shown, byId, at(1));
    return JSON.stringify({ offers: [...views] });
  }

  beforeAll(async () => {
    t = await createTestApp({ kind });
    for (let n = 0; n < 40; n++) {
      t.nodes.add(`offer-node-${n}`, { owner: P.owner, resourceClass: n % 2 ? 'baremetal' : 'gpu', properties: { n } });
    }
    await insertRows(t.dataSource, OfferEntity, Array.from({ length: COUNT }, (_, i) => newOffer(i)));
    offers.push(...(await t.dataSource.getRepository(OfferEntity).find({ order: { id: 'ASC' } })));
    // Busy offers on both sides of each page boundary, and a cancelled lease that is not busy.
    const leases: Omit<LeaseEntity, 'id' | 'updatedAt'>[] = [];
    for (const i of [0, 1, OFFER_LIST_PAGE - 2, OFFER_LIST_PAGE, OFFER_LIST_PAGE + 5, 2 * OFFER_LIST_PAGE, COUNT - 2]) {
      const offer = offers[i];
      leases.push(occupying(offer, 10, 12, 'active'), occupying(offer, 3, 5, 'created'), occupying(offer, 20, 21, 'deleted'));
      busy.set(offer.uuid, [
        [at(3), at(5)],
        [at(10), at(12)],
      ]);
    }
    await insertRows(t.dataSource, LeaseEntity, leases);
    repo = t.app.get(BusyIntervalsRepository);
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  it('lists more than a page in id order, byte for byte as one rendering of all offers', async () => {
    // Rendered first: it reads busy intervals through the repository whose calls are counted.
    const expected = await renderedAtOnce(() => true);
    const pages = jest.spyOn(t.app.get(OffersRepository), 'listPage');
    const intervals = jest.spyOn(repo, 'ofOffers');
    const res = await t.as('admin').get('/v1/offers?status=any');
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.body.offers).toHaveLength(COUNT);
    expect(res.text).toBe(expected);
    // Two full pages, the partial third one, no query after a partial page, and one busy
    // interval query per page.
    expect(pages).toHaveBeenCalledTimes(3);
    expect(intervals).toHaveBeenCalledTimes(3);

    for (const i of [0, OFFER_LIST_PAGE - 1, OFFER_LIST_PAGE, 2 * OFFER_LIST_PAGE, COUNT - 2]) {
      const offer = res.body.offers[i];
      expect((await t.as('admin').get(`/v1/offers/${offer.uuid}`)).body).toEqual(offer);
    }
    expect(res.body.offers[OFFER_LIST_PAGE].availabilities).toEqual([
      ['2040-01-01T00:00:00', '2040-01-03T00:00:00'],
      ['2040-01-05T00:00:00', '2040-01-10T00:00:00'],
      ['2040-01-12T00:00:00', '2040-01-28T00:00:00'],
    ]);
  });

  it.each([
    ['', 'admin', (o: OfferEntity) => o.status === 'available'],
    [`?project_id=${P.owner2}&status=any`, 'admin', (o: OfferEntity) => o.projectId === P.owner2],
    ['?resource_class=gpu', 'admin', (o: OfferEntity) => o.status === 'available' && Number(o.resourceUuid.split('-')[2]) % 2 === 0],
    // Visible to a lessee: unrestricted offers and those restricted to it.
    ['', 'lessee', (o: OfferEntity) => o.status === 'available' && (o.lesseeId === null || o.lesseeId === P.lessee)],
    [
      '?available_start_time=2040-01-04T00:00:00&available_end_time=2040-01-06T00:00:00',
      'admin',
      (o: OfferEntity) => o.status === 'available' && !busy.has(o.uuid),
    ],
  ] as const)('filters across pages: GET /v1/offers%s as %s', async (query, persona, where) => {
    const res = await t.as(persona).get(`/v1/offers${query}`);
    expect(res.status).toBe(200);
    expect(res.body.offers.length).toBeGreaterThan(0);
    expect(res.text).toBe(await renderedAtOnce(where));
  });
});

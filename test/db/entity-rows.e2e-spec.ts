import { randomUUID } from 'node:crypto';
import { getFlatEntities, selectListed } from '../../src/common/entity-rows';
import { UtcTime } from '../../src/common/time';
import { LeaseEntity } from '../../src/leasing/data/lease.entity';
import { OfferEntity } from '../../src/leasing/data/offer.entity';
import { createTestDatabase, TestDatabase, testDatabaseKinds } from '../helpers/test-databases';

jest.setTimeout(60_000);

const t = (value: string) => value as UtcTime;

describe.each(testDatabaseKinds())('list pages mapped to entities on %s', (kind) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(() => db.drop());

  it('getFlatEntities maps every column through its transformer, as getMany does', async () => {
    const uuid = randomUUID();
    await db.dataSource.getRepository(OfferEntity).insert({
      uuid,
      name: 'ünïcode "offer"',
      projectId: 'owner',
      lesseeId: null,
      resourceType: 'dummy_node',
      resourceUuid: 'node-1',
      startTime: t('2030-01-01 00:00:00.000001'),
      endTime: t('2030-02-01 00:00:00.000000'),
      status: 'available',
      properties: { floor: 3, tags: ['a'] },
      createdAt: t('2029-12-31 23:59:59.999999'),
    });
    const q = () => db.dataSource.getRepository(OfferEntity).createQueryBuilder('o').where('o.uuid = :uuid', { uuid });
    const [flat] = await getFlatEntities(q());
    expect(flat).toBeInstanceOf(OfferEntity);
    expect(flat).toEqual(await q().getOneOrFail());
    expect(flat.properties).toEqual({ floor: 3, tags: ['a'] });
    expect(flat.createdAt).toBe('2029-12-31 23:59:59.999999');
  });

  it('selectListed reads every column but the two timestamps, for offers and leases', async () => {
    const offerUuid = randomUUID();
    await db.dataSource.getRepository(OfferEntity).insert({
      uuid: offerUuid,
      projectId: 'owner',
      resourceType: 'dummy_node',
      resourceUuid: 'node-2',
      startTime: t('2030-01-01 00:00:00.000000'),
      endTime: t('2030-02-01 00:00:00.000000'),
      status: 'available',
      properties: {},
      parentLeaseUuid: null,
      createdAt: t('2029-12-31 00:00:00.000000'),
    });
    await db.dataSource.getRepository(LeaseEntity).insert({
      uuid: randomUUID(),
      projectId: 'lessee',
      ownerId: 'owner',
      resourceType: 'dummy_node',
      resourceUuid: 'node-2',
      startTime: t('2030-01-02 00:00:00.000000'),
      endTime: t('2030-01-03 00:00:00.000000'),
      fulfillTime: t('2030-01-02 00:00:01.000000'),
      status: 'active',
      properties: { p: 1 },
      offerUuid,
      purpose: 'bench',
      createdAt: t('2029-12-31 00:00:00.000000'),
    });
    for (const [entity, alias] of [
      [OfferEntity, 'o'],
      [LeaseEntity, 'l'],
    ] as const) {
      const q = selectListed(db.dataSource.getRepository<OfferEntity | LeaseEntity>(entity).createQueryBuilder(alias));
      expect(q.getSql()).not.toMatch(/created_at|updated_at/);
      const [listed] = await getFlatEntities(q.orderBy(`${alias}.id`, 'DESC').limit(1));
      const whole = await db.dataSource
        .getRepository<OfferEntity | LeaseEntity>(entity)
        .findOneByOrFail({ id: listed.id });
      const { createdAt, updatedAt, ...shown } = whole;
      expect(createdAt).not.toBeNull();
      expect(updatedAt).toBeNull();
      expect(listed).toEqual(shown);
      expect([listed.createdAt, listed.updatedAt]).toEqual([undefined, undefined]);
    }
  });
});

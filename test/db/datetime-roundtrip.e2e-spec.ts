import { randomUUID } from 'node:crypto';
import { MoreThan } from 'typeorm';
import { FOREVER, UtcTime } from '../../src/common/time';
import { utcTimeTransformer } from '../../src/db/columns';
import { ENTITIES } from '../../src/app/entities';
import { EventEntity } from '../../src/leasing/data/event.entity';
import { LeaseEntity } from '../../src/leasing/data/lease.entity';
import { OfferEntity } from '../../src/leasing/data/offer.entity';
import { createTestDatabase, TestDatabase, testDatabaseKinds } from '../helpers/test-databases';

jest.setTimeout(60_000);

const t = (value: string) => value as UtcTime;

describe.each(testDatabaseKinds())('datetimes through the entities on %s', (kind) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(() => db.drop());

  it('every datetime column is mapped as a string, so no value ever passes through JS Date', () => {
    for (const entity of ENTITIES) {
      for (const column of db.dataSource
        .getMetadata(entity)
        .columns.filter((c) => c.transformer === utcTimeTransformer)) {
        expect(`${column.entityMetadata.tableName}.${column.databaseName}: ${String(column.type)}`).toMatch(
          /: varchar$/,
        );
      }
    }
    if (kind === 'mariadb') expect(db.dataSource.options).toMatchObject({ dateStrings: true, timezone: 'Z' });
  });

  it('datetime.max and microseconds read back exactly, as strings, in the database as well', async () => {
    const uuid = randomUUID();
    await db.dataSource.getRepository(OfferEntity).insert({
      uuid,
      projectId: 'owner',
      resourceType: 'ironic_node',
      resourceUuid: 'node-1',
      startTime: t('2030-01-01 00:00:00.000001'),
      endTime: FOREVER,
      status: 'available',
      properties: {},
      createdAt: t('2029-12-31 23:59:59.999999'),
    });
    const offer = await db.dataSource.getRepository(OfferEntity).findOneByOrFail({ uuid });
    expect(offer.startTime).toBe('2030-01-01 00:00:00.000001');
    expect(offer.endTime).toBe('9999-12-31 23:59:59.999999');
    expect(offer.createdAt).toBe('2029-12-31 23:59:59.999999');
    expect(offer.updatedAt).toBeNull();
    const [raw] = (await db.dataSource.query('SELECT start_time, end_time FROM offers WHERE uuid = ?', [
      uuid,
    ])) as Record<string, unknown>[];
    expect(raw).toEqual({ start_time: '2030-01-01 00:00:00.000001', end_time: '9999-12-31 23:59:59.999999' });
  });

  it('the database compares and orders at microsecond precision', async () => {
    const events = db.dataSource.getRepository(EventEntity);
    for (const micros of ['000003', '000001', '000002']) {
      await events.insert({
        eventType: 'esi_leap.lease.fulfill.end',
        eventTime: t(`2031-05-05 05:05:05.${micros}`),
        objectUuid: 'ordering',
      });
    }
    const after = await events.find({
      where: { objectUuid: 'ordering', eventTime: MoreThan(t('2031-05-05 05:05:05.000001')) },
      order: { eventTime: 'ASC' },
    });
    expect(after.map((e) => e.eventTime)).toEqual(['2031-05-05 05:05:05.000002', '2031-05-05 05:05:05.000003']);
  });

  it('every lease datetime column round-trips, NULL included', async () => {
    const uuid = randomUUID();
    const times = {
      startTime: t('2032-02-29 12:00:00.500000'),
      endTime: t('9999-12-31 23:59:59.999999'),
      fulfillTime: t('2032-02-29 12:00:01.000001'),
      expireTime: null,
      createdAt: t('2032-02-29 11:59:59.999999'),
      updatedAt: t('2032-02-29 12:00:01.123456'),
    };
    await db.dataSource.getRepository(LeaseEntity).insert({
      uuid,
      projectId: 'lessee',
      ownerId: 'owner',
      resourceType: 'ironic_node',
      resourceUuid: 'node-2',
      status: 'active',
      properties: { note: 'x' },
      ...times,
    });
    expect(await db.dataSource.getRepository(LeaseEntity).findOneByOrFail({ uuid })).toMatchObject(times);
  });
});

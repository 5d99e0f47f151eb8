import { DataSource, EntityManager } from 'typeorm';
import { UtcTime } from '../../src/common/time';
import { ENTITIES } from '../../src/app/entities';
import { createDataSource } from '../../src/db/create-data-source';
import { TransactionRunner } from '../../src/db/transaction-runner';
import { EventEntity } from '../../src/leasing/data/event.entity';
import { createTestDatabase, TestDatabase, testDatabaseKinds } from '../helpers/test-databases';

jest.setTimeout(60_000);

const RESOURCE_TYPE = 'ironic_node';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function countFor(em: EntityManager, resourceUuid: string): Promise<number> {
  return em.countBy(EventEntity, { resourceType: RESOURCE_TYPE, resourceUuid });
}

async function insertFor(em: EntityManager, resourceUuid: string): Promise<void> {
  await em.insert(EventEntity, {
    eventType: 'esi_leap.lease.create.end',
    eventTime: '2030-01-01 00:00:00.000001' as UtcTime,
    resourceType: RESOURCE_TYPE,
    resourceUuid,
  });
}

/**
 * The check-then-write every booking does: read how many rows the resource has, think a little
 * (so that racing transactions overlap), insert only if there are none.
 */
function bookOnce(runner: TransactionRunner, resourceUuid: string, lock = true): Promise<void> {
  return runner.run(async (em) => {
    if (lock) await runner.lockResource(em, RESOURCE_TYPE, resourceUuid);
    const existing = await countFor(em, resourceUuid);
    await sleep(Math.random() * 5);
    if (existing === 0) await insertFor(em, resourceUuid);
  });
}

describe.each(testDatabaseKinds())('TransactionRunner on %s', (kind) => {
  let db: TestDatabase;
  let runner: TransactionRunner;

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    runner = new TransactionRunner(db.dataSource);
  });
  afterEach(() => db.drop());

  const rowsFor = (resourceUuid: string) => countFor(db.dataSource.manager, resourceUuid);

  it('50 concurrent check-then-insert transactions on one resource insert exactly one row', async () => {
    await Promise.all(Array.from({ length: 50 }, () => bookOnce(runner, 'node-a')));
    expect(await rowsFor('node-a')).toBe(1);
  });

  it('serialises across two DataSources (two processes) on the same database', async () => {
    const other: DataSource = await createDataSource(db.connection, { entities: ENTITIES }).initialize();
    try {
      const otherRunner = new TransactionRunner(other);
      await Promise.all(Array.from({ length: 50 }, (_, i) => bookOnce(i % 2 === 0 ? runner : otherRunner, 'node-b')));
    } finally {
      await other.destroy();
    }
    expect(await rowsFor('node-b')).toBe(1);
  });

  it('different resources do not wait for each other', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => bookOnce(runner, `node-${i % 4}`)));
    for (let i = 0; i < 4; i++) expect(await rowsFor(`node-${i}`)).toBe(1);
  });

  it('without lockResource the same race double-books on MariaDB (the test can see a failure); SQLite serialises every writer', async () => {
    await Promise.all(Array.from({ length: 50 }, () => bookOnce(runner, 'node-c', false)));
    if (kind === 'mariadb') expect(await rowsFor('node-c')).toBeGreaterThan(1);
    else expect(await rowsFor('node-c')).toBe(1);
  });

  it('an error other than a lock conflict propagates unchanged and rolls the transaction back', async () => {
    const failure = new Error('driver said no');
    let attempts = 0;
    await expect(
      runner.run(async (em) => {
        attempts++;
        await runner.lockResource(em, RESOURCE_TYPE, 'node-d');
        await insertFor(em, 'node-d');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(attempts).toBe(1);
    expect(await rowsFor('node-d')).toBe(0);
    // The runner is usable afterwards.
    await bookOnce(runner, 'node-d');
    expect(await rowsFor('node-d')).toBe(1);
  });

  it('a run inside a run joins the outer transaction', async () => {
    await expect(
      runner.run(async (em) => {
        await insertFor(em, 'node-e');
        const seenInside = await runner.run((inner) => countFor(inner, 'node-e'));
        const seenByAnotherRunner = await new TransactionRunner(db.dataSource).run((inner) =>
          countFor(inner, 'node-e'),
        );
        expect([seenInside, seenByAnotherRunner]).toEqual([1, 1]);
        throw new Error('undo everything');
      }),
    ).rejects.toThrow('undo everything');
    expect(await rowsFor('node-e')).toBe(0);
  });

  if (kind === 'mariadb') {
    it('a deadlock between two transactions is retried and both complete', async () => {
      let firstAttempts = 0;
      let release!: () => void;
      const bothHoldTheirFirstLock = new Promise<void>((resolve) => (release = resolve));
      let calls = 0;
      const lockBoth = (first: string, second: string) =>
        runner.run(async (em) => {
          calls++;
          await runner.lockResource(em, RESOURCE_TYPE, first);
          if (firstAttempts < 2) {
            if (++firstAttempts === 2) release();
            await bothHoldTheirFirstLock;
          }
          await runner.lockResource(em, RESOURCE_TYPE, second);
          return `${first}+${second}`;
        });
      await expect(Promise.all([lockBoth('node-x', 'node-y'), lockBoth('node-y', 'node-x')])).resolves.toEqual([
        'node-x+node-y',
        'node-y+node-x',
      ]);
      // InnoDB chose one victim, whose whole work ran a second time.
      expect(calls).toBe(3);
    });
  }
});

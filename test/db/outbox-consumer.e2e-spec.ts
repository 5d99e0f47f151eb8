import { Logger } from '@nestjs/common';
import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { TransactionRunner } from '../../src/db/transaction-runner';
import { OutboxConsumer } from '../../src/outbox/outbox-consumer';
import { OutboxCursorsRepository } from '../../src/outbox/outbox-cursors.repository';
import { createTestDatabase, TestDatabase, testDatabaseKinds } from '../helpers/test-databases';

const NOW = '2031-06-01 00:00:00.000000' as UtcTime;
const GRACE_MS = 300;

describe.each(testDatabaseKinds())('OutboxConsumer on %s', (kind) => {
  let db: TestDatabase;
  let cursors: OutboxCursorsRepository;
  let tx: TransactionRunner;

  const consumer = (cursor: string) =>
    new OutboxConsumer(
      { cursor, logger: new Logger('test'), missingIdGraceMs: GRACE_MS },
      tx,
      new ManualClock(NOW),
      cursors,
    );
  /** An event row with exactly this id, as a transaction that allocated it would leave once committed. */
  const event = (id: number) =>
    db.dataSource.query(
      'INSERT INTO events (id, event_type, event_time, object_type, object_uuid, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [id, 'esi_leap.lease.fulfill.end', NOW, 'lease', `lease-${id}`, NOW],
    );
  const position = async (cursor: string) => {
    const [row] = await db.dataSource.query('SELECT last_event_id FROM notification_cursors WHERE name = ?', [cursor]);
    return Number(row.last_event_id);
  };
  const remembered = async (cursor: string) =>
    (
      await db.dataSource.query('SELECT event_id FROM outbox_delivered WHERE cursor_name = ? ORDER BY event_id', [
        cursor,
      ])
    ).map((r: { event_id: number | string }) => Number(r.event_id));
  const delivering = (into: number[]) => async (e: { id: number }) => void into.push(e.id);

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    cursors = new OutboxCursorsRepository();
    tx = new TransactionRunner(db.dataSource);
  });
  afterAll(() => db.drop());

  it('starts at the newest event, then hands over what follows, in id order, once', async () => {
    await event(1);
    const seen: number[] = [];
    const c = consumer('first');
    expect(await c.pass(delivering(seen))).toBe(0);
    await event(2);
    await event(3);
    expect(await c.pass(delivering(seen))).toBe(2);
    expect(await c.pass(delivering(seen))).toBe(0);
    expect(seen).toEqual([2, 3]);
    expect(await position('first')).toBe(3);
  });

  it('goes on past an id that may still commit, remembers what it did above it, and catches up when it commits', async () => {
    const seen: number[] = [];
    const c = consumer('first');
    await event(5);
    await event(6);
    expect(await c.pass(delivering(seen))).toBe(2);
    expect(seen).toEqual([5, 6]);
    expect(await position('first')).toBe(3);
    expect(await remembered('first')).toEqual([5, 6]);
    // Another process (a second manager) reads the same state: nothing to deliver twice.
    expect(await consumer('first').pass(delivering(seen))).toBe(0);
    await event(4);
    expect(await c.pass(delivering(seen))).toBe(1);
    expect(seen).toEqual([5, 6, 4]);
    expect(await position('first')).toBe(6);
    expect(await remembered('first')).toEqual([]);
  });

  it('moves past an id that never commits once it has been missing for the grace', async () => {
    const seen: number[] = [];
    const c = consumer('first');
    await event(8);
    expect(await c.pass(delivering(seen))).toBe(1);
    expect(await position('first')).toBe(6);
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 50));
    expect(await c.pass(delivering(seen))).toBe(0);
    expect(await position('first')).toBe(8);
    expect(seen).toEqual([8]);
  });

  it('offers an event again after a failed delivery, and nothing it delivered before', async () => {
    const seen: number[] = [];
    const c = consumer('first');
    await event(9);
    await event(10);
    await expect(
      c.pass(async (e) => {
        if (e.id === 10) throw new Error('broker away');
        seen.push(e.id);
      }),
    ).rejects.toThrow('broker away');
    expect(await c.pass(delivering(seen))).toBe(1);
    expect(seen).toEqual([9, 10]);
  });

  it('lets one process at a time advance a cursor', async () => {
    await event(11);
    const seen: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = consumer('first').pass(async (e) => {
      seen.push(e.id);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await consumer('first').pass(delivering(seen))).toBe(0);
    release();
    expect(await slow).toBe(1);
    expect(seen).toEqual([11]);
  });

  it('keeps each consumer in its own place', async () => {
    const seen: number[] = [];
    const other = consumer('second');
    expect(await other.pass(delivering(seen))).toBe(0);
    expect(await position('second')).toBe(11);
    await event(12);
    expect(await other.pass(delivering(seen))).toBe(1);
    expect(await consumer('first').pass(delivering(seen))).toBe(1);
    expect(seen).toEqual([12, 12]);
  });

  it('reads on past a full batch held behind a missing id, in one pass, and moves the cursor once the id commits', async () => {
    // More than one batch (200) above the missing id 13, as Galera's stepped ids leave them.
    const seen: number[] = [];
    const c = consumer('stepped');
    expect(await c.pass(delivering(seen))).toBe(0);
    expect(await position('stepped')).toBe(12);
    const above = Array.from({ length: 250 }, (_, i) => 14 + i);
    for (const id of above) await event(id);
    expect(await c.pass(delivering(seen))).toBe(250);
    expect(seen).toEqual(above);
    // Held at the missing id (it may still commit), whether or not its grace ran out meanwhile.
    expect(await position('stepped')).toBe(12);
    await event(13);
    expect(await c.pass(delivering(seen))).toBe(1);
    expect(seen).toEqual([...above, 13]);
    expect(await position('stepped')).toBe(263);
  });
});

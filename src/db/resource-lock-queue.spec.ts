import { ResourceLockQueue } from './resource-lock-queue';

/** Released keys are forgotten once their promise chains settle. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

const busy = (key: string) => new Error(`busy ${key}`);

describe('ResourceLockQueue', () => {
  it('serves one holder per key at a time, in arrival order', async () => {
    const queue = new ResourceLockQueue();
    const order: string[] = [];
    const first = await queue.acquire(['a'], 1000, busy);
    const second = queue.acquire(['a'], 1000, busy).then((release) => {
      order.push('second');
      return release;
    });
    const third = queue.acquire(['a'], 1000, busy).then((release) => {
      order.push('third');
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    first();
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    await settled();
    expect(queue.busyKeys).toBe(0);
  });

  it('lets different keys proceed at once', async () => {
    const queue = new ResourceLockQueue();
    const a = await queue.acquire(['a'], 1000, busy);
    const b = await queue.acquire(['b'], 10, busy);
    a();
    b();
  });

  it('gives up after the wait, holding nothing, and passes its turn on in order', async () => {
    const queue = new ResourceLockQueue();
    const holder = await queue.acquire(['a'], 1000, busy);
    await expect(queue.acquire(['a', 'b'], 30, busy)).rejects.toThrow('busy a');
    // `b` was taken before `a` timed out and was released with it.
    (await queue.acquire(['b'], 10, busy))();
    const after = queue.acquire(['a'], 1000, busy);
    holder();
    (await after)();
    await settled();
    expect(queue.busyKeys).toBe(0);
  });

  it('takes overlapping sets in sorted order, so two of them cannot deadlock', async () => {
    const queue = new ResourceLockQueue();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        queue.acquire(i % 2 ? ['x', 'y'] : ['y', 'x'], 1000, busy).then(async (release) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          release();
          return i;
        }),
      ),
    );
    expect(results).toHaveLength(20);
  });
});

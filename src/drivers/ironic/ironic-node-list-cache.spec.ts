import { IronicNode } from './ironic-node';
import { IronicNodeListCache } from './ironic-node-list-cache';

function deferred() {
  let resolve!: (nodes: IronicNode[]) => void;
  const promise = new Promise<IronicNode[]>((r) => (resolve = r));
  return { promise, resolve };
}

describe('IronicNodeListCache', () => {
  it('reuses a list for its TTL, and shares one call between concurrent readers', async () => {
    let now = 0;
    let calls = 0;
    const load = jest.fn(async (): Promise<IronicNode[]> => [{ uuid: `u${++calls}` }]);
    const cache = new IronicNodeListCache(1000, load, () => now);
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect(a).toBe(b);
    now = 999;
    expect(await cache.get()).toBe(a);
    now = 1000;
    expect(await cache.get()).toEqual([{ uuid: 'u2' }]);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('a TTL of 0 caches nothing', async () => {
    const load = jest.fn(async () => []);
    const cache = new IronicNodeListCache(0, load);
    await cache.get();
    await cache.get();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('a list loading while a lease changes is not kept, and later readers do not wait for it', async () => {
    const first = deferred();
    const load = jest
      .fn()
      .mockReturnValueOnce(first.promise)
      .mockResolvedValueOnce([{ uuid: 'after' }]);
    const cache = new IronicNodeListCache(60_000, load);
    const stale = cache.get();
    cache.invalidate();
    expect(await cache.get()).toEqual([{ uuid: 'after' }]);
    first.resolve([{ uuid: 'before' }]);
    expect(await stale).toEqual([{ uuid: 'before' }]);
    expect(await cache.get()).toEqual([{ uuid: 'after' }]);
    expect(load).toHaveBeenCalledTimes(2);
  });
});

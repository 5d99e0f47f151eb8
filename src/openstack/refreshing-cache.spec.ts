import { RefreshingCache } from './refreshing-cache';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('RefreshingCache', () => {
  let now: number;
  beforeEach(() => (now = 0));

  it('runs one load per key for concurrent readers, and none while the value is fresh', async () => {
    const cache = new RefreshingCache<string, string>(10, () => now);
    const pending = deferred<{ value: string; ttlMs: number }>();
    const load = jest.fn(() => pending.promise);
    const readers = Array.from({ length: 20 }, () => cache.get('k', load));
    pending.resolve({ value: 'v', ttlMs: 1000 });
    expect(await Promise.all(readers)).toEqual(Array(20).fill('v'));
    now = 999;
    expect(await cache.get('k', load)).toBe('v');
    expect(load).toHaveBeenCalledTimes(1);
    now = 1000;
    await cache.get('k', async () => ({ value: 'w', ttlMs: 1000 }));
    expect(cache.peek('k')).toBe('w');
  });

  it('serves the stored value while one background reload runs past refreshAfterMs', async () => {
    const cache = new RefreshingCache<string, string>(10, () => now);
    await cache.get('k', async () => ({ value: 'old', ttlMs: 1000, refreshAfterMs: 800 }));
    const reload = deferred<{ value: string; ttlMs: number; refreshAfterMs: number }>();
    const load = jest.fn(() => reload.promise);
    now = 850;
    expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual(['old', 'old']);
    expect(load).toHaveBeenCalledTimes(1);
    reload.resolve({ value: 'new', ttlMs: 1000, refreshAfterMs: 800 });
    await reload.promise;
    await new Promise((r) => setImmediate(r));
    expect(await cache.get('k', load)).toBe('new');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('keeps the value when a background reload fails, and reports the failure', async () => {
    const failures: unknown[] = [];
    const cache = new RefreshingCache<string, string>(10, () => now, (_key, err) => failures.push(err));
    await cache.get('k', async () => ({ value: 'old', ttlMs: 1000, refreshAfterMs: 500 }));
    now = 600;
    expect(await cache.get('k', () => Promise.reject(new Error('down')))).toBe('old');
    await new Promise((r) => setImmediate(r));
    expect(failures).toEqual([new Error('down')]);
    expect(cache.peek('k')).toBe('old');
    now = 1000;
    await expect(cache.get('k', () => Promise.reject(new Error('still down')))).rejects.toThrow('still down');
  });

  it('shares a failed load with its waiters and stores nothing', async () => {
    const cache = new RefreshingCache<string, string>(10, () => now);
    const pending = deferred<{ value: string; ttlMs: number }>();
    const readers = [cache.get('k', () => pending.promise), cache.get('k', () => pending.promise)];
    pending.reject(new Error('boom'));
    for (const reader of readers) await expect(reader).rejects.toThrow('boom');
    expect(cache.peek('k')).toBeUndefined();
  });

  it('does not keep a load that was in flight when the key was deleted', async () => {
    const cache = new RefreshingCache<string, string>(10, () => now);
    const stale = deferred<{ value: string; ttlMs: number }>();
    const first = cache.get('k', () => stale.promise);
    cache.delete('k');
    expect(await cache.get('k', async () => ({ value: 'after', ttlMs: 1000 }))).toBe('after');
    stale.resolve({ value: 'before', ttlMs: 1000 });
    expect(await first).toBe('before');
    expect(cache.peek('k')).toBe('after');
  });

  it('holds at most maxEntries keys, dropping the oldest', async () => {
    const cache = new RefreshingCache<number, number>(2, () => now);
    for (const key of [1, 2, 3]) await cache.get(key, async () => ({ value: key, ttlMs: 1000 }));
    expect([cache.peek(1), cache.peek(2), cache.peek(3)]).toEqual([undefined, 2, 3]);
  });
});

/**
 * In-process, first-come first-served locks by key, with a bounded wait. A transaction that
 * books or transitions a resource queues here before it takes a pooled connection: however
 * many requests of this process wait for one busy resource, only one of them holds a
 * connection while it waits for the database lock, so they cannot starve unrelated requests.
 */
export class ResourceLockQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Takes every key, in sorted order (two acquirers of overlapping sets cannot wait for each
   * other), and returns the function that releases them. Rejects with `onTimeout()`'s error,
   * holding nothing, when they are not all free within `waitMs`.
   */
  async acquire(keys: readonly string[], waitMs: number, onTimeout: (key: string) => Error): Promise<() => void> {
    const deadline = Date.now() + waitMs;
    const releases: (() => void)[] = [];
    const releaseAll = () => releases.splice(0).forEach((release) => release());
    try {
      for (const key of [...new Set(keys)].sort()) releases.push(await this.acquireOne(key, deadline, onTimeout));
    } catch (err) {
      releaseAll();
      throw err;
    }
    return releaseAll;
  }

  /** Keys somebody holds or waits for (for tests and metrics). */
  get busyKeys(): number {
    return this.tails.size;
  }

  private acquireOne(key: string, deadline: number, onTimeout: (key: string) => Error): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return new Promise((resolve, reject) => {
      let abandoned = false;
      const timer = setTimeout(
        () => {
          abandoned = true;
          reject(onTimeout(key));
        },
        Math.max(0, deadline - Date.now()),
      );
      void previous.then(() => {
        clearTimeout(timer);
        // A waiter that gave up still passes its turn on, in order.
        if (abandoned) release();
        else resolve(release);
      });
    });
  }
}

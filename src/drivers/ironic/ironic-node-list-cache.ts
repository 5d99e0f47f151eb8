import { refreshAfter, RefreshingCache } from '../../openstack/refreshing-cache';
import { IronicNode } from './ironic-node';

/**
 * The full node list (service identity) for decorating offer and lease listings, reused for
 * `ttlMs` (`[ironic] node_list_cache_ttl`; 0 disables). Concurrent readers share one Ironic call, a list still
 * in use is reloaded in the background before it lapses, and a lease change invalidates it,
 * including a list call still in flight when the change is made.
 */
export class IronicNodeListCache {
  private readonly cache: RefreshingCache<'all', IronicNode[]>;

  constructor(
    private readonly ttlMs: number,
    private readonly load: () => Promise<IronicNode[]>,
    now: () => number = Date.now,
  ) {
    this.cache = new RefreshingCache(1, now);
  }

  get(): Promise<IronicNode[]> {
    return this.cache.get('all', async () => ({
      value: await this.load(),
      ttlMs: this.ttlMs,
      refreshAfterMs: refreshAfter(this.ttlMs),
    }));
  }

  invalidate(): void {
    this.cache.clear();
  }
}

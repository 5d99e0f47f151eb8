/** What a loader returns: the value and how long it may be served. */
export interface Loaded<V> {
  readonly value: V;
  /** Lifetime from now; zero or less serves the value to the callers waiting for it, stores nothing. */
  readonly ttlMs: number;
  /**
   * From this age on, the next reader gets the stored value at once and starts one reload in
   * the background, so a busy key never makes anyone wait when it lapses. Unset: no early reload.
   */
  readonly refreshAfterMs?: number;
}

interface Entry<V> {
  readonly value: V;
  readonly refreshAt: number;
  readonly expiresAt: number;
}

/**
 * A bounded in-process cache for remote look-ups (Keystone tokens and projects, Ironic nodes):
 * - single flight: one load per key at a time, every concurrent reader awaits it;
 * - refresh ahead: past `refreshAfterMs` the stored value is served while one reload runs;
 *   a failed reload keeps the value until its lifetime ends;
 * - bounded: when full the oldest key goes first, so a flood of distinct keys (garbage tokens)
 *   cannot grow memory;
 * - `delete`/`clear` also disown loads already in flight, whose results predate the change.
 */
export class RefreshingCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly loading = new Map<K, Promise<V>>();
  private generation = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = () => Date.now(),
    /** Told about a failed background reload (a foreground failure goes to the caller). */
    private readonly onRefreshError: (key: K, err: unknown) => void = () => undefined,
  ) {}

  get(key: K, load: () => Promise<Loaded<V>>): Promise<V> {
    const entry = this.entries.get(key);
    const now = this.now();
    if (entry && now < entry.expiresAt) {
      if (now >= entry.refreshAt && !this.loading.has(key)) {
        this.start(key, load).catch((err: unknown) => this.onRefreshError(key, err));
      }
      return Promise.resolve(entry.value);
    }
    if (entry) this.entries.delete(key);
    return this.loading.get(key) ?? this.start(key, load);
  }

  /** The stored value if it is still within its lifetime; never loads. */
  peek(key: K): V | undefined {
    const entry = this.entries.get(key);
    return entry && this.now() < entry.expiresAt ? entry.value : undefined;
  }

  delete(key: K): void {
    this.generation++;
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.loading.clear();
  }

  private start(key: K, load: () => Promise<Loaded<V>>): Promise<V> {
    const generation = this.generation;
    const pending: Promise<V> = load()
      .then(({ value, ttlMs, refreshAfterMs }) => {
        if (generation === this.generation) this.store(key, value, ttlMs, refreshAfterMs);
        return value;
      })
      .finally(() => {
        if (this.loading.get(key) === pending) this.loading.delete(key);
      });
    this.loading.set(key, pending);
    return pending;
  }

  private store(key: K, value: V, ttlMs: number, refreshAfterMs: number | undefined): void {
    if (ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
    const now = this.now();
    const refreshAt = refreshAfterMs === undefined ? Infinity : now + Math.min(refreshAfterMs, ttlMs);
    this.entries.set(key, { value, refreshAt, expiresAt: now + ttlMs });
  }
}

/** Refresh once this share of an entry's lifetime has passed: early enough to finish before it lapses. */
export const REFRESH_AHEAD_SHARE = 0.8;

export function refreshAfter(ttlMs: number): number {
  return Math.floor(ttlMs * REFRESH_AHEAD_SHARE);
}

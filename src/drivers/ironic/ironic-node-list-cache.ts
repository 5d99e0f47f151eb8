import { IronicNode } from './ironic-node';

/**
 * The full node list (service identity) for decorating offer and lease listings, reused for
 * `ttlMs` (decisions.md 14; 0 disables). Concurrent readers share one Ironic call, and a
 * lease change invalidates it, including a list call still in flight when the change is made.
 */
export class IronicNodeListCache {
  private value: { nodes: IronicNode[]; expiresAt: number } | null = null;
  private loading: Promise<IronicNode[]> | null = null;
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly load: () => Promise<IronicNode[]>,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<IronicNode[]> {
    if (this.value && this.now() < this.value.expiresAt) return Promise.resolve(this.value.nodes);
    this.loading ??= this.start();
    return this.loading;
  }

  invalidate(): void {
    this.generation++;
    this.value = null;
    // A list started before the change may predate it: later readers start a new one.
    this.loading = null;
  }

  private start(): Promise<IronicNode[]> {
    const generation = this.generation;
    const loading: Promise<IronicNode[]> = this.load()
      .then((nodes) => {
        if (generation === this.generation && this.ttlMs > 0)
          this.value = { nodes, expiresAt: this.now() + this.ttlMs };
        return nodes;
      })
      .finally(() => {
        if (this.loading === loading) this.loading = null;
      });
    return loading;
  }
}

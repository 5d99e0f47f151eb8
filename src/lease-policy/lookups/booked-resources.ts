import { Injectable } from '@nestjs/common';
import { ResourceInfo } from '../../drivers/resource-driver';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';
import { TtlCache } from '../../openstack/ttl-cache';

export interface ResourceKey {
  readonly resourceType: string;
  readonly resourceUuid: string;
}

/**
 * Long enough to outlast any wait for a booking's locks (`[database] lock_wait_timeout`) by
 * far, so what a guard looked up before locking is still here when it checks inside them.
 */
const KEEP_MS = 10 * 60_000;
const MOST_KEPT = 10_000;

/**
 * The nodes being booked, as their drivers describe them. Looked up before a booking takes its
 * locks (a driver call may not run inside them) and read again inside, where a guard needs a
 * node's resource class: every lookup is fresh, the cache only carries it across the lock.
 */
@Injectable()
export class BookedResources {
  private readonly known = new TtlCache<string, ResourceInfo | null>(MOST_KEPT);

  constructor(private readonly drivers: ResourceDriverRegistry) {}

  /** Reads each distinct resource from its driver (null when the driver knows no such node). */
  async load(refs: readonly ResourceKey[]): Promise<Map<string, ResourceInfo | null>> {
    const found = new Map<string, ResourceInfo | null>();
    const distinct = new Map(refs.map((ref) => [keyOf(ref), ref]));
    await Promise.all(
      [...distinct].map(async ([key, ref]) => {
        const info = (await this.drivers.find(ref.resourceType)?.get(ref.resourceUuid)) ?? null;
        this.known.set(key, info, KEEP_MS);
        found.set(key, info);
      }),
    );
    return found;
  }

  /** The class found by the last `load` (null: none); undefined when it was not looked up. */
  resourceClassOf(ref: ResourceKey): string | null | undefined {
    const info = this.known.get(keyOf(ref));
    return info === undefined ? undefined : (info?.resourceClass ?? null);
  }
}

export function keyOf(ref: ResourceKey): string {
  return `${ref.resourceType}/${ref.resourceUuid}`;
}

import { Injectable } from '@nestjs/common';
import { ResourceInfo } from '../../drivers/resource-driver';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';
import { BookingCandidate, BookingContext, ContextKey } from '../../leasing/booking/booking-guard';

export interface ResourceKey {
  readonly resourceType: string;
  readonly resourceUuid: string;
}

/** The nodes of one booking as their drivers describe them, by `type/uuid` (null: no such node). */
export type BookedNodes = ReadonlyMap<string, ResourceInfo | null>;

const BOOKED_NODES = new ContextKey<BookedNodes>('booked nodes');

/**
 * The nodes being booked, as their drivers describe them: looked up before a booking takes its
 * locks (a driver call may not run inside them), once per booking whichever guards ask, and
 * read again inside the lock from the booking's context.
 */
@Injectable()
export class BookedResources {
  constructor(private readonly drivers: ResourceDriverRegistry) {}

  /** Before locking: the booking's nodes, read from their drivers the first time a guard asks. */
  load(context: BookingContext, candidates: readonly BookingCandidate[]): Promise<BookedNodes> {
    return context.once(BOOKED_NODES, async () => {
      const distinct = new Map(candidates.map((c) => [keyOf(c), c]));
      const found = new Map<string, ResourceInfo | null>();
      await Promise.all(
        [...distinct].map(async ([key, ref]) => {
          found.set(key, (await this.drivers.find(ref.resourceType)?.get(ref.resourceUuid)) ?? null);
        }),
      );
      return found;
    });
  }

  /** Inside the lock: what `load` read (undefined when no guard loaded the nodes). */
  loaded(context: BookingContext): Promise<BookedNodes> | undefined {
    return context.loaded(BOOKED_NODES);
  }
}

export function keyOf(ref: ResourceKey): string {
  return `${ref.resourceType}/${ref.resourceUuid}`;
}

/** A booked node's resource class: null when unknown or not looked up. */
export function resourceClassIn(nodes: BookedNodes | undefined, ref: ResourceKey): string | null {
  return nodes?.get(keyOf(ref))?.resourceClass ?? null;
}

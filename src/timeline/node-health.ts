import { Injectable } from '@nestjs/common';

/** What is known of a node's health: whether it can be leased now, and why not. */
export interface NodeHealth {
  readonly healthy: boolean;
  /** Short machine-readable reasons, e.g. `maintenance`, `clean failed`; empty when healthy. */
  readonly flags: readonly string[];
  /** A sentence for people, when the source has one. */
  readonly reason?: string | null;
}

/**
 * Where the timeline reads node health from. The timeline shows `health: null` for a node whose
 * health nobody reported; a health-tracking module provides its own implementation of this class
 * (one bulk read per request) to fill it in.
 */
export abstract class NodeHealthSource {
  /** Health by resource UUID; nodes missing from the map are unknown. */
  abstract healthOf(resourceType: string, resourceUuids: readonly string[]): Promise<ReadonlyMap<string, NodeHealth>>;
}

/** Used until something tracks node health: nothing is known. */
@Injectable()
export class UnknownNodeHealth extends NodeHealthSource {
  async healthOf(): Promise<ReadonlyMap<string, NodeHealth>> {
    return new Map();
  }
}

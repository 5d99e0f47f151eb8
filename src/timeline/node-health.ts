import { Injectable } from '@nestjs/common';
import { NodeHealth as RecordedHealth } from '../leasing/health/node-health';

/** What the timeline shows of a node's health: whether it can be leased now, and why not. */
export interface NodeHealth {
  readonly healthy: boolean;
  /** Short machine-readable reasons, e.g. `unhealthy`; empty when healthy. */
  readonly flags: readonly string[];
  /** A sentence for people, when there is one. */
  readonly reason?: string | null;
}

/**
 * The timeline's health flags from what the manager records of Ironic's notifications and its
 * reconcile (docs/node-health.md): a node recorded unhealthy or gone carries the reason; any
 * other node is healthy, as the booking guard sees it. One bulk read per request.
 */
@Injectable()
export class TimelineHealth {
  constructor(private readonly recorded: RecordedHealth) {}

  async healthOf(resourceType: string, resourceUuids: readonly string[]): Promise<ReadonlyMap<string, NodeHealth>> {
    const problems = await this.recorded.unhealthyAmong(
      resourceUuids.map((resourceUuid) => ({ resourceType, resourceUuid })),
    );
    return new Map(
      resourceUuids.map((uuid): [string, NodeHealth] => {
        const reason = problems.get(`${resourceType}/${uuid}`);
        return [
          uuid,
          reason === undefined ? { healthy: true, flags: [] } : { healthy: false, flags: ['unhealthy'], reason },
        ];
      }),
    );
  }
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NodeUnhealthy } from '../../common/errors/esi-leap.exceptions';
import type { BookingCandidate, BookingGuard } from '../../leasing/booking/booking-guard';
import { NodeHealth, nodeKey } from '../../leasing/health/node-health';

/**
 * Refuses a lease (claim, direct lease, sub-lease, group member, healing move) on a node
 * recorded unhealthy or gone, naming the node and the reason. Offers may still be published on
 * such a node, and leases on it extended: neither hands anybody a broken node now. Read in the
 * booking's transaction, under the node's lock, which the recording of health takes too, so a
 * booking and a node turning unhealthy cannot pass each other.
 */
@Injectable()
export class UnhealthyNodeGuard implements BookingGuard {
  constructor(private readonly health: NodeHealth) {}

  async check(em: EntityManager, candidates: readonly BookingCandidate[]): Promise<void> {
    const leases = candidates.filter((c) => c.kind === 'lease' || c.kind === 'move');
    if (leases.length === 0) return;
    const unhealthy = await this.health.unhealthyAmong(leases, em);
    for (const candidate of leases) {
      const reason = unhealthy.get(nodeKey(candidate));
      if (reason !== undefined) {
        throw new NodeUnhealthy({
          resource_type: candidate.resourceType,
          resource_uuid: candidate.resourceUuid,
          reason,
        });
      }
    }
  }
}

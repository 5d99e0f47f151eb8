import { Inject, Injectable, Logger } from '@nestjs/common';
import { ServiceUnavailable } from '../../common/errors/esi-leap.exceptions';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { BookingCandidate, BookingContext, BookingGuard } from '../../leasing/booking/booking-guard';
import { blazarContext, blazarLease, LeasedNode } from '../enforcement/blazar-bodies';
import { EnforcementAnswer, EnforcementClient, EnforcementEndpoint } from '../enforcement/enforcement-client';
import { EnforcementDenied } from '../lease-policy.errors';
import { BookedResources, keyOf } from '../lookups/booked-resources';

/**
 * The external enforcement service's say on every booking of a lease: `check-create` for new
 * leases (a group's members with the same lessee and window as one Blazar lease),
 * `check-update` for an extension, both before any lock is taken: a slow or hung service then
 * delays only its own request, never a node's other bookings. The price is that the service
 * judges a candidate that may still fail the conflict checks, limits or quotas after its
 * answer, and two candidates it approves at the same time are not serialised against each
 * other (docs/lease-lifecycle.md, "External enforcement").
 */
@Injectable()
export class ExternalEnforcementGuard implements BookingGuard {
  private readonly logger = new Logger('esi-leap.enforcement');

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly client: EnforcementClient,
    private readonly resources: BookedResources,
  ) {}

  async beforeLocking(candidates: readonly BookingCandidate[], context: BookingContext): Promise<void> {
    if (!this.client.enabled()) return;
    // A move onto a healthy node is the service's own repair, not a booking the service judges.
    const leases = candidates.filter((c) => c.kind === 'lease' || c.kind === 'extension');
    if (leases.length === 0) return;
    const found = await this.resources.load(context, leases);
    const node = (c: BookingCandidate): LeasedNode => ({ ...c, info: found.get(keyOf(c)) ?? null });
    for (const request of requests(leases, node, this.config)) {
      this.judge(request.endpoint, await this.client.post(request.endpoint, request.body));
    }
  }

  async check(): Promise<void> {}

  private judge(endpoint: EnforcementEndpoint, answer: EnforcementAnswer): void {
    if (answer.kind === 'allowed') return;
    if (answer.kind === 'denied') throw new EnforcementDenied(answer.message);
    if (this.client.failsOpen()) {
      this.logger.warn(`enforcement service gave no answer (${answer.reason}); ${endpoint} allowed (fail-open)`);
      return;
    }
    this.logger.warn(`enforcement service gave no answer (${answer.reason}); ${endpoint} refused (fail-closed)`);
    throw new ServiceUnavailable({ service: 'The external enforcement service' });
  }
}

interface EnforcementRequest {
  readonly endpoint: EnforcementEndpoint;
  readonly body: unknown;
}

/** One check-update per extension; one check-create per lessee, window and requester of new leases. */
function requests(
  leases: readonly BookingCandidate[],
  node: (c: BookingCandidate) => LeasedNode,
  config: EsiLeapConfig,
): EnforcementRequest[] {
  const result: EnforcementRequest[] = [];
  const creates = new Map<string, BookingCandidate[]>();
  for (const c of leases) {
    const userId = c.requester?.userId ?? null;
    if (c.kind === 'extension') {
      const current = c.current!;
      const fields = {
        uuid: current.uuid,
        name: current.name,
        start: current.startTime,
        userId,
        projectId: current.projectId,
        status: current.status,
      };
      const nodes = [node({ ...c, offerUuid: current.offerUuid })];
      result.push({
        endpoint: 'check-update',
        body: {
          context: blazarContext(config, userId, current.projectId),
          current_lease: blazarLease({ ...fields, end: current.endTime }, nodes),
          lease: blazarLease({ ...fields, end: c.end }, nodes),
        },
      });
    } else {
      const key = JSON.stringify([c.projectId, c.start, c.end, userId]);
      creates.set(key, [...(creates.get(key) ?? []), c]);
    }
  }
  for (const group of creates.values()) {
    const [first] = group;
    const userId = first.requester?.userId ?? null;
    result.push({
      endpoint: 'check-create',
      body: {
        context: blazarContext(config, userId, first.projectId),
        lease: blazarLease(
          { name: first.name ?? null, start: first.start, end: first.end, userId, projectId: first.projectId },
          group.map(node),
        ),
      },
    });
  }
  return result;
}

import { Injectable } from '@nestjs/common';
import { HTTPResourceForbidden } from '../common/errors/esi-leap.exceptions';
import { UtcTime } from '../common/time';
import { Clock } from '../common/clock';
import { AccessRules } from '../leasing/booking/access-rules';
import { Interval } from '../leasing/data/busy-intervals.repository';
import { IdentResolver } from '../leasing/data/ident-resolver';
import { OfferEntity } from '../leasing/data/offer.entity';
import { OfferStatusName } from '../leasing/data/statuses';
import {
  PolicyRequest,
  PolicyTargetResolver,
  PolicyTargetSpec,
  ResolvedPolicyTarget,
} from '../policy/policy.decorator';
import { offerPolicyTarget } from '../policy/policy-targets';

export interface OfferTargetOptions {
  /** The statuses the route accepts; another status is a 404, as an unknown offer. */
  readonly statuses: readonly OfferStatusName[] | null;
  /** Restricted offers are for their lessee project and its descendants (and offer admins). */
  readonly lesseeOnly: boolean;
  /** Also read the offer's busy intervals and its node's health, in the same query (showing it). */
  readonly withBusyIntervals?: boolean;
}

/** The offer a route is about, with what showing it needs when asked for. */
export interface TargetOffer {
  readonly offer: OfferEntity;
  readonly busy?: { readonly intervals: Interval[]; readonly now: UtcTime; readonly nodeProblem: string | null };
}

/** The `{ident}` offer of a route, for its object rule (target `offer.project_id`). */
@Injectable()
export class OfferPolicyTarget implements PolicyTargetResolver<TargetOffer, OfferTargetOptions> {
  constructor(
    private readonly resolver: IdentResolver,
    private readonly access: AccessRules,
    private readonly clock: Clock,
  ) {}

  async resolve(request: PolicyRequest, options: OfferTargetOptions): Promise<ResolvedPolicyTarget<TargetOffer>> {
    const ident = request.params.ident;
    const creds = request.esiLeapContext!.creds;
    let object: TargetOffer;
    if (options.withBusyIntervals) {
      const now = this.clock.now();
      const { offer, busy, nodeProblem } = await this.resolver.offerWithBusyIntervals(ident, now);
      object = { offer, busy: busy && { intervals: busy, now, nodeProblem: nodeProblem ?? null } };
    } else {
      object = { offer: await this.resolver.offer(ident, options.statuses) };
    }
    const { offer } = object;
    return {
      object,
      target: offerPolicyTarget(creds, offer),
      denied: () => new HTTPResourceForbidden({ resource_type: 'offer', resource: offer.uuid }),
      afterRule: options.lesseeOnly ? () => this.access.assertOfferLessee(creds, offer) : undefined,
    };
  }
}

export function offerTarget(options: OfferTargetOptions): PolicyTargetSpec<TargetOffer, OfferTargetOptions> {
  return { resolver: OfferPolicyTarget, options };
}

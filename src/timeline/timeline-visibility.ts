import { Injectable } from '@nestjs/common';
import { PolicyCredentials } from '../auth/request-context';
import { leasePolicyTarget } from '../policy/policy-targets';
import { PolicyService } from '../policy/policy.service';
import { ProjectDirectory } from '../projects/project-directory';

/** What one caller may see of the bookings on the timeline (docs/web-console.md, "Who sees what"). */
export interface TimelineViewer {
  /** An offer in full, or not at all: the same offers `GET /v1/offers` lists to the caller. */
  seesOffer(offer: { readonly projectId: string; readonly lesseeId: string | null }): boolean;
  /** A lease in full, or only as an anonymous busy window: the lease rule `GET /v1/leases/{id}` checks. */
  seesLease(lease: { readonly projectId: string; readonly ownerId: string }): boolean;
}

/**
 * Decides, per caller, which bookings the timeline shows in full. Leases follow the operator's
 * `esi_leap:lease:get` rule with the lease as target (by default: admins, the lease's owner
 * project and its lessee project), so a policy file that widens or narrows who may read a lease
 * does the same here. Offers follow the offer list's visibility: admins see all; others their own
 * project's, unrestricted ones, and ones restricted to their project or one of its ancestors.
 */
@Injectable()
export class TimelineVisibility {
  constructor(
    private readonly policy: PolicyService,
    private readonly projects: ProjectDirectory,
  ) {}

  async viewerFor(creds: PolicyCredentials): Promise<TimelineViewer> {
    const offerAdmin = this.policy.enforce('esi_leap:offer:offer_admin', creds);
    const caller = creds.project_id;
    const ancestry = new Set(caller && !offerAdmin ? await this.projects.ancestry(caller) : []);
    // The rule's answer depends only on the creds and the two project ids: a month of a large
    // fleet has tens of thousands of leases but few distinct (owner, lessee) pairs.
    const leaseAnswers = new Map<string, Map<string, boolean>>();
    return {
      seesOffer: (offer) =>
        offerAdmin || offer.projectId === caller || offer.lesseeId === null || ancestry.has(offer.lesseeId),
      seesLease: (lease) => {
        let byLessee = leaseAnswers.get(lease.ownerId);
        if (!byLessee) leaseAnswers.set(lease.ownerId, (byLessee = new Map()));
        let allowed = byLessee.get(lease.projectId);
        if (allowed === undefined) {
          allowed = this.policy.enforce('esi_leap:lease:get', creds, leasePolicyTarget(creds, lease));
          byLessee.set(lease.projectId, allowed);
        }
        return allowed;
      },
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { PolicyCredentials } from '../../auth/request-context';
import {
  HTTPResourceForbidden,
  LeaseExceedMaxTimeRange,
  NodeNotFound,
  ResourceNoPermissionTime,
} from '../../common/errors/esi-leap.exceptions';
import { longerThanDays, UtcTime } from '../../common/time';
import { LeaseEntity } from '../data/lease.entity';
import { LeasesRepository } from '../data/leases.repository';
import { ResourceDriver, ResourceInfo } from '../../drivers/resource-driver';
import { OfferEntity } from '../data/offer.entity';
import { offerOpenTo } from '../data/offer-lessee';
import { PolicyService } from '../../policy/policy.service';
import { ProjectDirectory } from '../../projects/project-directory';
import { LeaseLimits } from '../limits/lease-limits';
import { BookingRequester } from './booking-guard';

/** What ownership of a resource grants: direct control, or a window inside a parent lease. */
export type ResourceGrant = { kind: 'owner' } | { kind: 'sublease'; parent: LeaseEntity };

/**
 * The authorisation helpers of upstream's controllers that are not plain route rules: resource
 * ownership (with the sub-lease fallback), offer lessee restrictions and lease length.
 */
@Injectable()
export class AccessRules {
  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly policy: PolicyService,
    private readonly projects: ProjectDirectory,
    private readonly leases: LeasesRepository,
    private readonly limits: LeaseLimits,
  ) {}

  isOfferAdmin(creds: PolicyCredentials): boolean {
    return this.policy.enforce('esi_leap:offer:offer_admin', creds);
  }

  isLeaseAdmin(creds: PolicyCredentials): boolean {
    return this.policy.enforce('esi_leap:lease:lease_admin', creds);
  }

  /** The resource, or a 404 naming it (docs/decisions.md, "Leasing rules"), before any ownership check. */
  async existingResource(driver: ResourceDriver, uuid: string): Promise<ResourceInfo> {
    const info = await driver.get(uuid);
    if (!info)
      throw new NodeNotFound({
        uuid,
        resource_type: driver.resourceType,
        err: driver.notFoundReason?.(uuid) ?? 'Node not found',
      });
    return info;
  }

  /**
   * checkResourceAdmin, falling back to checkResourceLeaseAdmin as upstream: the owner (or
   * an admin) controls the resource; the node's current lessee may work inside its lease.
   * The window is checked later, once defaults are known (docs/decisions.md, "Leasing rules").
   */
  async grantOnResource(creds: PolicyCredentials, driver: ResourceDriver, node: ResourceInfo): Promise<ResourceGrant> {
    if (creds.project_id === node.ownerProjectId || this.isOfferAdmin(creds)) return { kind: 'owner' };
    const denied = new HTTPResourceForbidden({ resource_type: driver.resourceType, resource: node.uuid });
    if (!creds.project_id || creds.project_id !== node.lesseeProjectId || !node.leaseUuid) throw denied;
    const parent = await this.leases.findByUuid(node.leaseUuid);
    // Only one level of sub-leasing: a sub-lessee cannot lease further, as upstream.
    if (!parent || parent.parentLeaseUuid) throw denied;
    return { kind: 'sublease', parent };
  }

  /** A sub-lessor may only act inside its own lease (docs/decisions.md, "Leasing rules"). */
  assertInsideParent(
    resourceType: string,
    resourceUuid: string,
    parent: LeaseEntity,
    start: UtcTime,
    end: UtcTime,
  ): void {
    if (start < parent.startTime || end > parent.endTime) {
      throw new ResourceNoPermissionTime({
        resource_type: resourceType,
        resource_uuid: resourceUuid,
        start_time: start,
        end_time: end,
      });
    }
  }

  /** checkOfferLessee: restricted offers are for the lessee project and its descendants. */
  async assertOfferLessee(creds: PolicyCredentials, offer: OfferEntity): Promise<void> {
    if (offer.lesseeId === null || offer.projectId === creds.project_id) return;
    if (creds.project_id && offerOpenTo(offer, await this.projects.ancestry(creds.project_id))) return;
    if (!this.isOfferAdmin(creds)) throw new HTTPResourceForbidden({ resource_type: 'offer', resource: offer.uuid });
  }

  /** The caller of a booking, as the booking guards see it: lease admins are not bound by the lease limits. */
  bookingRequester(creds: PolicyCredentials): BookingRequester {
    return { userId: creds.user_id, projectId: creds.project_id, boundByLimits: !this.isLeaseAdmin(creds) };
  }

  /**
   * checkLeaseLength: more than `[api] max_lease_time` days needs the lease admin rule. With a
   * limits file, its `max_lease_length` (whose default is that option) is checked instead, per
   * project and resource class, by the booking guards.
   */
  assertLeaseLength(creds: PolicyCredentials, start: UtcTime, end: UtcTime): void {
    if (this.limits.document()) return;
    const maxDays = this.config.api.max_lease_time;
    if (longerThanDays(start, end, maxDays) && !this.isLeaseAdmin(creds)) {
      throw new LeaseExceedMaxTimeRange({ max_time: maxDays });
    }
  }
}

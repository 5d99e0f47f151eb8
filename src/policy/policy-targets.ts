import { PolicyCredentials } from '../auth/request-context';
import { PolicyTarget } from './policy.service';

/**
 * Targets for object checks: creds plus the object's keys, whose names
 * literally contain a dot because the default rules read `%(offer.project_id)s`.
 */
export function offerPolicyTarget(
  creds: PolicyCredentials,
  offer: { readonly projectId: string | null },
): PolicyTarget {
  return { ...creds, 'offer.project_id': offer.projectId };
}

export function leasePolicyTarget(
  creds: PolicyCredentials,
  lease: { readonly ownerId: string | null; readonly projectId: string | null },
): PolicyTarget {
  return { ...creds, 'lease.owner_id': lease.ownerId, 'lease.project_id': lease.projectId };
}

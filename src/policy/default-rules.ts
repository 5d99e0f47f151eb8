/**
 * The rules esi-leap registers in code (upstream `esi_leap/common/policy.py`).
 * Names and check strings are part of the drop-in contract: operators' policy files
 * override them by name. Descriptions and operations only feed the sample policy file.
 */
export interface PolicyRuleDefault {
  readonly name: string;
  readonly checkString: string;
  readonly description: string;
  /** The API calls the rule guards, listed in the sample file as oslo.policy does. */
  readonly operations: readonly { readonly method: string; readonly path: string }[];
}

const IS_ADMIN = 'rule:is_admin';
const ANY_ROLE = 'rule:is_admin or rule:is_owner or rule:is_lessee';
const ADMIN_OR_OWNER = 'rule:is_admin or rule:is_owner';
const LEASE_PARTY = 'rule:is_admin or rule:is_lease_owner or rule:is_lease_lessee';
const LEASE_GROUP_PARTY = 'rule:is_admin or project_id:%(lease_group.project_id)s';

export const DEFAULT_POLICY_RULES = [
  {
    name: 'is_admin',
    checkString: 'role:admin or role:esi_leap_admin',
    description: 'Full read/write API access',
    operations: [],
  },
  {
    name: 'is_owner',
    checkString: 'role:owner or role:esi_leap_owner',
    description: 'Owner API access',
    operations: [],
  },
  {
    name: 'is_lessee',
    checkString: 'role:lessee or role:esi_leap_lessee',
    description: 'Lessee API access',
    operations: [],
  },
  {
    name: 'is_offer_owner',
    checkString: 'project_id:%(offer.project_id)s',
    description: 'Owner of offer',
    operations: [],
  },
  {
    name: 'is_lease_owner',
    checkString: 'project_id:%(lease.owner_id)s',
    description: 'Owner of lease',
    operations: [],
  },
  {
    name: 'is_lease_lessee',
    checkString: 'project_id:%(lease.project_id)s',
    description: 'Lessee of lease',
    operations: [],
  },
  {
    name: 'esi_leap:lease:lease_admin',
    checkString: IS_ADMIN,
    description: 'Complete permissions over leases',
    operations: [
      { method: 'POST', path: '/leases' },
      { method: 'GET', path: '/leases' },
      { method: 'GET', path: '/leases/{lease_ident}' },
      { method: 'DELETE', path: '/leases/{lease_ident}' },
    ],
  },
  {
    name: 'esi_leap:lease:create',
    checkString: ADMIN_OR_OWNER,
    description: 'Create lease',
    operations: [{ method: 'POST', path: '/leases' }],
  },
  {
    name: 'esi_leap:lease:update',
    checkString: IS_ADMIN,
    description: 'Update lease',
    operations: [{ method: 'PATCH', path: '/leases/{lease_ident}' }],
  },
  {
    name: 'esi_leap:lease:extend',
    checkString: 'rule:is_admin or rule:is_lease_lessee or project_id:%(lease.lessee_ancestor_id)s',
    description:
      'Extend a lease within the lease limits without esi_leap:lease:update, when the limits file enables ' +
      "self-service extension. lease.lessee_ancestor_id is the caller's project when it is a parent project " +
      "(at any level) of the lease's lessee",
    operations: [{ method: 'PATCH', path: '/leases/{lease_ident}' }],
  },
  {
    name: 'esi_leap:lease:get',
    checkString: LEASE_PARTY,
    description: 'Retrieve a single lease',
    operations: [{ method: 'GET', path: '/leases/{lease_ident}' }],
  },
  {
    name: 'esi_leap:lease:get_all',
    checkString: ANY_ROLE,
    description: 'Retrieve all leases owned by project_id',
    operations: [{ method: 'GET', path: '/leases' }],
  },
  {
    name: 'esi_leap:lease:delete',
    checkString: LEASE_PARTY,
    description: 'Delete lease',
    operations: [{ method: 'DELETE', path: '/leases/{lease_ident}' }],
  },
  {
    name: 'esi_leap:offer:offer_admin',
    checkString: IS_ADMIN,
    description: 'Complete permissions over offers',
    operations: [
      { method: 'POST', path: '/offers' },
      { method: 'GET', path: '/offers' },
      { method: 'GET', path: '/offers/{offer_ident}' },
      { method: 'DELETE', path: '/offers/{offer_ident}' },
    ],
  },
  {
    name: 'esi_leap:offer:create',
    checkString: ADMIN_OR_OWNER,
    description: 'Create offer',
    operations: [{ method: 'POST', path: '/offers' }],
  },
  {
    name: 'esi_leap:offer:get',
    checkString: ANY_ROLE,
    description: 'Retrieve a single offer',
    operations: [{ method: 'GET', path: '/offers/{offer_ident}' }],
  },
  {
    name: 'esi_leap:offer:get_all',
    checkString: ANY_ROLE,
    description: 'Retrieve multiple offers',
    operations: [{ method: 'GET', path: '/offers' }],
  },
  {
    name: 'esi_leap:offer:delete',
    checkString: 'rule:is_admin or rule:is_offer_owner',
    description: 'Delete offer',
    operations: [{ method: 'DELETE', path: '/offers/{offer_ident}' }],
  },
  {
    name: 'esi_leap:offer:claim',
    checkString: ANY_ROLE,
    description: 'Claim an offer',
    operations: [{ method: 'POST', path: '/offers/{offer_ident}/claim' }],
  },
  // Registered upstream but checked by no endpoint; kept so the registered set matches upstream.
  {
    name: 'esi_leap:node:node_admin',
    checkString: IS_ADMIN,
    description: 'Complete permissions over nodes',
    operations: [],
  },
  { name: 'esi_leap:node:get_all', checkString: ANY_ROLE, description: 'Retrieve all nodes', operations: [] },
  {
    name: 'esi_leap:event:event_admin',
    checkString: IS_ADMIN,
    description: 'Complete permissions over events',
    operations: [],
  },
  {
    name: 'esi_leap:event:get_all',
    checkString: ANY_ROLE,
    description: 'Retrieve all events',
    operations: [],
  },
  {
    name: 'esi_leap:quota:get',
    checkString: 'rule:is_admin or project_id:%(quota.project_id)s',
    description: "Show a project's quotas, lease limits and usage",
    operations: [{ method: 'GET', path: '/quotas' }],
  },
  // Ours: the web console's fleet timeline. Which bookings it shows in full is decided per lease
  // by esi_leap:lease:get, so this rule only says who may open it at all.
  {
    name: 'esi_leap:timeline:get',
    checkString: ANY_ROLE,
    description: 'Retrieve the timeline of nodes, offers and leases',
    operations: [{ method: 'GET', path: '/timeline' }],
  },
  // Ours: the availability search. What it finds is what the caller could book anyway (offers
  // it may claim, nodes it owns), so this rule only says who may search at all.
  {
    name: 'esi_leap:availability:get',
    checkString: ANY_ROLE,
    description: 'Search when nodes matching constraints are free at once',
    operations: [{ method: 'GET', path: '/availability' }],
  },
  // Ours: tenant webhooks (`[webhooks]`), per project.
  {
    name: 'esi_leap:webhook:create',
    checkString: ANY_ROLE,
    description: "Register a webhook for the caller's project",
    operations: [{ method: 'POST', path: '/webhooks' }],
  },
  {
    name: 'esi_leap:webhook:get',
    checkString: 'rule:is_admin or project_id:%(webhook.project_id)s',
    description: "List a project's webhooks, show one and its deliveries",
    operations: [
      { method: 'GET', path: '/webhooks' },
      { method: 'GET', path: '/webhooks/{webhook_id}' },
      { method: 'GET', path: '/webhooks/{webhook_id}/deliveries' },
    ],
  },
  {
    name: 'esi_leap:webhook:delete',
    checkString: 'rule:is_admin or project_id:%(webhook.project_id)s',
    description: 'Delete a webhook',
    operations: [{ method: 'DELETE', path: '/webhooks/{webhook_id}' }],
  },
  // Ours: lease groups, N leases booked together (docs/group-leases.md). The defaults follow the
  // single-lease rules: booking from offers as a claim, changing the end admin-only (or
  // esi_leap:lease:extend while self-service extension is on), seeing and cancelling by the
  // group's project. Each member stays an ordinary lease under the lease rules.
  {
    name: 'esi_leap:lease_group:create',
    checkString: ANY_ROLE,
    description:
      "Book a lease group for the caller's project; booking the project's own nodes (\"from\": \"owned\") " +
      'also needs esi_leap:lease:create',
    operations: [{ method: 'POST', path: '/lease_groups' }],
  },
  {
    name: 'esi_leap:lease_group:get',
    checkString: LEASE_GROUP_PARTY,
    description: "List the caller's project's lease groups and show one",
    operations: [
      { method: 'GET', path: '/lease_groups' },
      { method: 'GET', path: '/lease_groups/{group_uuid}' },
    ],
  },
  {
    name: 'esi_leap:lease_group:update',
    checkString: IS_ADMIN,
    description: 'Change the end_time of every lease of a lease group',
    operations: [{ method: 'PATCH', path: '/lease_groups/{group_uuid}' }],
  },
  {
    name: 'esi_leap:lease_group:delete',
    checkString: LEASE_GROUP_PARTY,
    description: 'Cancel every lease of a lease group',
    operations: [{ method: 'DELETE', path: '/lease_groups/{group_uuid}' }],
  },
] as const satisfies readonly PolicyRuleDefault[];

/** A rule registered in code; the only names the API may enforce (like oslo.policy's `authorize`). */
export type DefaultPolicyRuleName = (typeof DEFAULT_POLICY_RULES)[number]['name'];

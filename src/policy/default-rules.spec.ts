import { emptyCredentials, PolicyCredentials } from '../auth/request-context';
import { DEFAULT_POLICY_RULES } from './default-rules';
import { leasePolicyTarget, offerPolicyTarget } from './policy-targets';
import { PolicyService } from './policy.service';

function creds(projectId: string, roles: string[]): PolicyCredentials {
  return { ...emptyCredentials(), project_id: projectId, user_id: `user-of-${projectId}`, roles };
}

const personas = {
  admin: creds('p-admin', ['admin']),
  esiLeapAdmin: creds('p-admin', ['esi_leap_admin']),
  owner: creds('p-owner', ['owner']),
  esiLeapOwner: creds('p-owner', ['ESI_LEAP_OWNER']),
  ownerProjectNoRole: creds('p-owner', []),
  lessee: creds('p-lessee', ['lessee']),
  esiLeapLessee: creds('p-lessee', ['esi_leap_lessee']),
  lesseeProjectNoRole: creds('p-lessee', []),
  foreign: creds('p-foreign', ['member']),
};
type Persona = keyof typeof personas;

const offer = { projectId: 'p-owner' };
const lease = { ownerId: 'p-owner', projectId: 'p-lessee' };
type TargetKind = 'creds' | 'offer' | 'lease' | 'quota' | 'webhook' | 'leaseGroup';

const ADMINS: Persona[] = ['admin', 'esiLeapAdmin'];
const OWNERS: Persona[] = ['owner', 'esiLeapOwner'];
const LESSEES: Persona[] = ['lessee', 'esiLeapLessee'];
const ANY_ROLE = [...ADMINS, ...OWNERS, ...LESSEES];
const LEASE_PARTIES = [...ADMINS, ...OWNERS, 'ownerProjectNoRole', ...LESSEES, 'lesseeProjectNoRole'] as Persona[];

/** Who each default rule lets through, and against which target (upstream `esi_leap/common/policy.py`). */
const EXPECTED: Record<string, { target: TargetKind; allowed: Persona[] }> = {
  is_admin: { target: 'creds', allowed: ADMINS },
  is_owner: { target: 'creds', allowed: OWNERS },
  is_lessee: { target: 'creds', allowed: LESSEES },
  is_offer_owner: { target: 'offer', allowed: [...OWNERS, 'ownerProjectNoRole'] },
  is_lease_owner: { target: 'lease', allowed: [...OWNERS, 'ownerProjectNoRole'] },
  is_lease_lessee: { target: 'lease', allowed: [...LESSEES, 'lesseeProjectNoRole'] },
  'esi_leap:lease:lease_admin': { target: 'creds', allowed: ADMINS },
  'esi_leap:lease:create': { target: 'creds', allowed: [...ADMINS, ...OWNERS] },
  'esi_leap:lease:update': { target: 'lease', allowed: ADMINS },
  'esi_leap:lease:get': { target: 'lease', allowed: LEASE_PARTIES },
  'esi_leap:lease:get_all': { target: 'creds', allowed: ANY_ROLE },
  'esi_leap:lease:delete': { target: 'lease', allowed: LEASE_PARTIES },
  'esi_leap:offer:offer_admin': { target: 'creds', allowed: ADMINS },
  'esi_leap:offer:create': { target: 'creds', allowed: [...ADMINS, ...OWNERS] },
  'esi_leap:offer:get': { target: 'offer', allowed: ANY_ROLE },
  'esi_leap:offer:get_all': { target: 'creds', allowed: ANY_ROLE },
  'esi_leap:offer:delete': { target: 'offer', allowed: [...ADMINS, ...OWNERS, 'ownerProjectNoRole'] },
  'esi_leap:offer:claim': { target: 'offer', allowed: ANY_ROLE },
  'esi_leap:node:node_admin': { target: 'creds', allowed: ADMINS },
  'esi_leap:node:get_all': { target: 'creds', allowed: ANY_ROLE },
  'esi_leap:event:event_admin': { target: 'creds', allowed: ADMINS },
  'esi_leap:event:get_all': { target: 'creds', allowed: ANY_ROLE },
  'esi_leap:lease:extend': { target: 'lease', allowed: [...ADMINS, ...LESSEES, 'lesseeProjectNoRole'] },
  'esi_leap:quota:get': { target: 'quota', allowed: [...ADMINS, ...LESSEES, 'lesseeProjectNoRole'] },
  'esi_leap:timeline:get': { target: 'creds', allowed: ANY_ROLE },
  'esi_leap:availability:get': { target: 'creds', allowed: ANY_ROLE },
  'esi_leap:webhook:create': { target: 'creds', allowed: ANY_ROLE },
  'esi_leap:webhook:get': { target: 'webhook', allowed: [...ADMINS, ...LESSEES, 'lesseeProjectNoRole'] },
  'esi_leap:webhook:delete': { target: 'webhook', allowed: [...ADMINS, ...LESSEES, 'lesseeProjectNoRole'] },
  'esi_leap:lease_group:create': { target: 'creds', allowed: ANY_ROLE },
  'esi_leap:lease_group:get': { target: 'leaseGroup', allowed: [...ADMINS, ...LESSEES, 'lesseeProjectNoRole'] },
  'esi_leap:lease_group:update': { target: 'leaseGroup', allowed: ADMINS },
  'esi_leap:lease_group:delete': { target: 'leaseGroup', allowed: [...ADMINS, ...LESSEES, 'lesseeProjectNoRole'] },
};

function targetFor(kind: TargetKind, who: PolicyCredentials) {
  if (kind === 'offer') return offerPolicyTarget(who, offer);
  if (kind === 'lease') return leasePolicyTarget(who, lease);
  if (kind === 'quota') return { ...who, 'quota.project_id': 'p-lessee' };
  // A webhook of the lessee project.
  if (kind === 'webhook') return { ...who, 'webhook.project_id': 'p-lessee' };
  // A lease group of the lessee project.
  if (kind === 'leaseGroup') return { ...who, 'lease_group.project_id': 'p-lessee' };
  return { ...who };
}

describe('DEFAULT_POLICY_RULES', () => {
  it('registers exactly the names and check strings of upstream, plus ours', () => {
    expect(Object.fromEntries(DEFAULT_POLICY_RULES.map((r) => [r.name, r.checkString]))).toEqual({
      is_admin: 'role:admin or role:esi_leap_admin',
      is_owner: 'role:owner or role:esi_leap_owner',
      is_lessee: 'role:lessee or role:esi_leap_lessee',
      is_offer_owner: 'project_id:%(offer.project_id)s',
      is_lease_owner: 'project_id:%(lease.owner_id)s',
      is_lease_lessee: 'project_id:%(lease.project_id)s',
      'esi_leap:lease:lease_admin': 'rule:is_admin',
      'esi_leap:lease:create': 'rule:is_admin or rule:is_owner',
      'esi_leap:lease:update': 'rule:is_admin',
      'esi_leap:lease:get': 'rule:is_admin or rule:is_lease_owner or rule:is_lease_lessee',
      'esi_leap:lease:get_all': 'rule:is_admin or rule:is_owner or rule:is_lessee',
      'esi_leap:lease:delete': 'rule:is_admin or rule:is_lease_owner or rule:is_lease_lessee',
      'esi_leap:offer:offer_admin': 'rule:is_admin',
      'esi_leap:offer:create': 'rule:is_admin or rule:is_owner',
      'esi_leap:offer:get': 'rule:is_admin or rule:is_owner or rule:is_lessee',
      'esi_leap:offer:get_all': 'rule:is_admin or rule:is_owner or rule:is_lessee',
      'esi_leap:offer:delete': 'rule:is_admin or rule:is_offer_owner',
      'esi_leap:offer:claim': 'rule:is_admin or rule:is_owner or rule:is_lessee',
      'esi_leap:node:node_admin': 'rule:is_admin',
      'esi_leap:node:get_all': 'rule:is_admin or rule:is_owner or rule:is_lessee',
      'esi_leap:event:event_admin': 'rule:is_admin',
      'esi_leap:event:get_all': 'rule:is_admin or rule:is_owner or rule:is_lessee',
      'esi_leap:lease:extend': 'rule:is_admin or rule:is_lease_lessee or project_id:%(lease.lessee_ancestor_id)s',
      'esi_leap:quota:get': 'rule:is_admin or project_id:%(quota.project_id)s',
      // Ours, beyond upstream's set.
      'esi_leap:timeline:get': 'rule:is_admin or rule:is_owner or rule:is_lessee',
      'esi_leap:availability:get': 'rule:is_admin or rule:is_owner or rule:is_lessee',
      'esi_leap:webhook:create': 'rule:is_admin or rule:is_owner or rule:is_lessee',
      'esi_leap:webhook:get': 'rule:is_admin or project_id:%(webhook.project_id)s',
      'esi_leap:webhook:delete': 'rule:is_admin or project_id:%(webhook.project_id)s',
      'esi_leap:lease_group:create': 'rule:is_admin or rule:is_owner or rule:is_lessee',
      'esi_leap:lease_group:get': 'rule:is_admin or project_id:%(lease_group.project_id)s',
      'esi_leap:lease_group:update': 'rule:is_admin',
      'esi_leap:lease_group:delete': 'rule:is_admin or project_id:%(lease_group.project_id)s',
    });
    expect(DEFAULT_POLICY_RULES).toHaveLength(33);
    expect(Object.keys(EXPECTED).sort()).toEqual(DEFAULT_POLICY_RULES.map((r) => r.name).sort());
  });

  const policy = PolicyService.forTesting();
  const cases = Object.entries(EXPECTED).flatMap(([rule, { target, allowed }]) =>
    (Object.keys(personas) as Persona[]).map((persona) => [rule, persona, target, allowed.includes(persona)] as const),
  );

  it.each(cases)('%s with %s (target: %s) → %s', (rule, persona, target, allowed) => {
    const who = personas[persona];
    expect(policy.enforce(rule, who, targetFor(target, who))).toBe(allowed);
  });

  it('grants the ownership rules with null ids on both sides (str(None) == str(None))', () => {
    const unscoped = { ...emptyCredentials(), project_id: null };
    expect(
      policy.enforce('is_lease_owner', unscoped, leasePolicyTarget(unscoped, { ownerId: null, projectId: 'p' })),
    ).toBe(true);
    expect(policy.enforce('is_offer_owner', unscoped, offerPolicyTarget(unscoped, { projectId: 'p' }))).toBe(false);
  });

  it("lets a parent project of the lessee extend, when the target names the caller's project as one", () => {
    const parent = creds('p-parent', []);
    const target = { ...leasePolicyTarget(parent, lease) };
    expect(policy.enforce('esi_leap:lease:extend', parent, target)).toBe(false);
    expect(policy.enforce('esi_leap:lease:extend', parent, { ...target, 'lease.lessee_ancestor_id': 'p-parent' })).toBe(
      true,
    );
  });

  it('needs the object keys for the ownership rules: with target = creds they deny', () => {
    expect(policy.enforce('is_offer_owner', personas.owner)).toBe(false);
    expect(policy.enforce('esi_leap:lease:get', personas.lessee)).toBe(false);
  });
});

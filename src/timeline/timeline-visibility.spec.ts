import { emptyCredentials, PolicyCredentials } from '../auth/request-context';
import { PolicyService } from '../policy/policy.service';
import { StaticProjectDirectory } from '../projects/static-project-directory';
import { TimelineVisibility } from './timeline-visibility';

const projects = new StaticProjectDirectory([
  { id: 'p-owner', name: 'owner', parentId: null },
  { id: 'p-lessee', name: 'lessee', parentId: null },
  { id: 'p-child', name: 'child', parentId: 'p-lessee' },
  { id: 'p-other', name: 'other', parentId: null },
]);
const who = (project: string, roles: string[]): PolicyCredentials => ({
  ...emptyCredentials(),
  project_id: project,
  roles,
});
const lease = (projectId: string, ownerId = 'p-owner') => ({ projectId, ownerId });
const offer = (lesseeId: string | null, projectId = 'p-owner') => ({ projectId, lesseeId });

describe('TimelineVisibility', () => {
  const visibility = (rules: Record<string, string> = {}) =>
    new TimelineVisibility(PolicyService.forTesting(rules), projects);

  it('shows leases in full to their lessee, their owner and admins only, by default', async () => {
    const v = visibility();
    const lessee = await v.viewerFor(who('p-lessee', ['lessee']));
    expect([lessee.seesLease(lease('p-lessee')), lessee.seesLease(lease('p-other'))]).toEqual([true, false]);
    const owner = await v.viewerFor(who('p-owner', ['owner']));
    expect([owner.seesLease(lease('p-other')), owner.seesLease(lease('p-other', 'p-elsewhere'))]).toEqual([
      true,
      false,
    ]);
    const admin = await v.viewerFor(who('p-other', ['admin']));
    expect(admin.seesLease(lease('p-lessee', 'p-elsewhere'))).toBe(true);
  });

  it('follows an operator’s esi_leap:lease:get: a support role that may read every lease sees them all', async () => {
    const v = visibility({
      'esi_leap:lease:get': 'rule:is_admin or rule:is_lease_owner or rule:is_lease_lessee or role:support',
    });
    const support = await v.viewerFor(who('p-other', ['support']));
    expect(support.seesLease(lease('p-lessee'))).toBe(true);
    const lessee = await v.viewerFor(who('p-lessee', ['lessee']));
    expect(lessee.seesLease(lease('p-child'))).toBe(false);
  });

  it('shows the offers GET /v1/offers lists: own, unrestricted, restricted to the caller or an ancestor', async () => {
    const child = await visibility().viewerFor(who('p-child', ['lessee']));
    expect([offer(null), offer('p-child'), offer('p-lessee'), offer('p-other')].map((o) => child.seesOffer(o))).toEqual(
      [true, true, true, false],
    );
    const lessee = await visibility().viewerFor(who('p-lessee', ['lessee']));
    expect(lessee.seesOffer(offer('p-child'))).toBe(false);
    const owner = await visibility().viewerFor(who('p-owner', ['owner']));
    expect(owner.seesOffer(offer('p-other'))).toBe(true);
    const admin = await visibility().viewerFor(who('p-x', ['admin']));
    expect(admin.seesOffer(offer('p-other'))).toBe(true);
  });

  it('shows a caller without a project only unrestricted offers and no lease', async () => {
    const unscoped = await visibility().viewerFor({ ...emptyCredentials(), roles: ['lessee'] });
    expect([unscoped.seesOffer(offer(null)), unscoped.seesOffer(offer('p-lessee'))]).toEqual([true, false]);
    expect(unscoped.seesLease(lease('p-lessee'))).toBe(false);
  });
});

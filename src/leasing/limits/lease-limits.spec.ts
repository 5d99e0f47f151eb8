import { load as loadYaml } from 'js-yaml';
import { LeaseLimits, UNKNOWN_CLASS } from './lease-limits';
import { parseLimitsDocument } from './limits-file';
import { LimitsStore } from './limits-store';

/** LeaseLimits over a fixed document (a store whose file never changes). */
function limitsOf(yaml: string | null, upstreamMaxDays = 21): LeaseLimits {
  const doc = yaml === null ? null : parseLimitsDocument(loadYaml(yaml, { json: true }));
  return new LeaseLimits({ current: () => doc } as unknown as LimitsStore, upstreamMaxDays);
}

const FILE = `
defaults:
  max_extension: 2d
  min_gap: 30m
resource_classes:
  gpu:
    max_lease_length: 3d
    max_extension: 1d
    min_gap: 2h
  fpga:
    booking_horizon: 10d
projects:
  p1:
    max_lease_length: 14d
    max_extension: none
    resource_classes:
      gpu:
        max_lease_length: 5d
quotas:
  default:
    nodes: 4
  p1:
    nodes: 10
  parent:
    node_hours: 100
    include_subprojects: true
`;

describe('LeaseLimits', () => {
  it('applies nothing without a limits file', () => {
    const limits = limitsOf(null);
    expect(limits.forLease('p1', 'gpu')).toBeNull();
    expect(limits.gapSeconds('gpu')).toBe(0);
    expect(limits.quotaOf('p1')).toBeNull();
    expect(limits.selfServiceExtension()).toBe(false);
  });

  it('takes [api] max_lease_time as the default maximum length, and nothing else', () => {
    expect(limitsOf('self_service_extension: true', 21).forLease('p9', null)).toEqual({
      max_lease_length: 21 * 86_400,
      max_total_length: null,
      extension_window: null,
      max_extension: null,
      booking_horizon: null,
    });
  });

  it('layers defaults, the class, the project and the project’s class, most specific last', () => {
    const limits = limitsOf(FILE);
    expect(limits.forLease('p9', null)).toMatchObject({ max_lease_length: 21 * 86_400, max_extension: 2 * 86_400 });
    expect(limits.forLease('p9', 'gpu')).toMatchObject({ max_lease_length: 3 * 86_400, max_extension: 86_400 });
    expect(limits.forLease('p1', null)).toMatchObject({ max_lease_length: 14 * 86_400, max_extension: null });
    expect(limits.forLease('p1', 'gpu')).toMatchObject({ max_lease_length: 5 * 86_400, max_extension: null });
    expect(limits.forLease('p1', 'fpga')).toMatchObject({ booking_horizon: 10 * 86_400, max_extension: null });
  });

  it('takes the strictest value of every class for a node whose class is unknown', () => {
    expect(limitsOf(FILE).forLease('p9', UNKNOWN_CLASS)).toEqual({
      max_lease_length: 3 * 86_400,
      max_total_length: null,
      extension_window: null,
      max_extension: 86_400,
      booking_horizon: 10 * 86_400,
    });
    expect(limitsOf(FILE).gapSeconds(UNKNOWN_CLASS)).toBe(7200);
  });

  it('keeps the cleaning time by class, the default elsewhere', () => {
    const limits = limitsOf(FILE);
    expect(limits.gapSeconds('gpu')).toBe(7200);
    expect(limits.gapSeconds('fpga')).toBe(1800);
    expect(limits.gapSeconds(null)).toBe(1800);
    expect(limits.gapMicros('gpu')).toBe(7_200_000_000n);
  });

  it('gives a project its own quota, else the default, and lists the quotas counting sub-projects', () => {
    const limits = limitsOf(FILE);
    expect(limits.quotaOf('p1')?.nodes).toBe(10);
    expect(limits.quotaOf('p9')?.nodes).toBe(4);
    expect([...limits.subtreeQuotas().keys()]).toEqual(['parent']);
  });

  it('looks nodes up only when a limit depends on their class', () => {
    expect(limitsOf(FILE).dependsOnResourceClass()).toBe(true);
    expect(
      limitsOf('defaults:\n  min_gap: 1h\nprojects:\n  p1:\n    max_extension: 1d\n').dependsOnResourceClass(),
    ).toBe(false);
  });
});

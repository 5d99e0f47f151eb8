import { load as loadYaml } from 'js-yaml';
import { parseLimitsDocument } from './limits-file';

const parse = (yaml: string) => parseLimitsDocument(loadYaml(yaml, { json: true }));

describe('parseLimitsDocument', () => {
  it('reads every section, in seconds, with none as no limit', () => {
    const doc = parse(`
self_service_extension: true
defaults:
  max_lease_length: 7d
  max_total_length: 21d
  extension_window: 48h
  max_extension: 7d
  booking_horizon: 90d
  min_gap: 30m
resource_classes:
  gpu:
    max_lease_length: 2d
    min_gap: 2h
projects:
  p1:
    max_lease_length: none
    resource_classes:
      gpu:
        max_lease_length: 4d
quotas:
  default:
    nodes: 8
  p1:
    nodes: 20
    node_hours: 1500.5
    leases: 40
    include_subprojects: true
`);
    expect(doc.selfServiceExtension).toBe(true);
    expect(doc.defaults).toEqual({
      max_lease_length: 604_800,
      max_total_length: 1_814_400,
      extension_window: 172_800,
      max_extension: 604_800,
      booking_horizon: 7_776_000,
      min_gap: 1800,
    });
    expect(doc.resourceClasses.get('gpu')).toEqual({ max_lease_length: 172_800, min_gap: 7200 });
    expect(doc.projects.get('p1')).toEqual({
      limits: { max_lease_length: null },
      resourceClasses: new Map([['gpu', { max_lease_length: 345_600 }]]),
    });
    expect(doc.defaultQuota).toEqual({ nodes: 8, node_hours: null, leases: null, include_subprojects: false });
    expect(doc.quotas.get('p1')).toEqual({ nodes: 20, node_hours: 1500.5, leases: 40, include_subprojects: true });
  });

  it('reads an empty document as no limits and self-service off', () => {
    const doc = parse('# nothing yet\n');
    expect(doc.selfServiceExtension).toBe(false);
    expect(doc.defaults).toEqual({});
    expect(doc.resourceClasses.size + doc.projects.size + doc.quotas.size).toBe(0);
    expect(doc.defaultQuota).toBeNull();
  });

  it.each([
    ['an unknown top-level key', 'limits: {}', 'the document: unknown key limits'],
    ['an unknown limit', 'defaults:\n  max_length: 7d', 'defaults: unknown key max_length'],
    [
      'a bare number as duration',
      'defaults:\n  max_lease_length: 3600',
      'defaults.max_lease_length: expected a duration',
    ],
    ['a bad duration', 'defaults:\n  max_extension: 2 days', 'defaults.max_extension: expected a duration'],
    [
      'a cleaning time per project',
      'projects:\n  p1:\n    min_gap: 1h',
      'projects.p1.min_gap: the cleaning time belongs to the nodes',
    ],
    [
      "a cleaning time per project's class",
      'projects:\n  p1:\n    resource_classes:\n      gpu:\n        min_gap: 1h',
      'projects.p1.resource_classes.gpu.min_gap: the cleaning time belongs to the nodes',
    ],
    ['a fractional node count', 'quotas:\n  p1:\n    nodes: 1.5', 'quotas.p1.nodes: expected a whole number'],
    ['a negative quota', 'quotas:\n  p1:\n    node_hours: -1', 'quotas.p1.node_hours: expected a number of 0 or more'],
    [
      'sub-projects in the default quota',
      'quotas:\n  default:\n    nodes: 1\n    include_subprojects: true',
      'quotas.default: include_subprojects',
    ],
    ['self-service as a string', 'self_service_extension: "yes"', 'self_service_extension: expected true or false'],
    ['a list instead of a mapping', 'projects: [p1]', 'projects: expected a mapping'],
  ])('refuses %s', (_name, yaml, message) => {
    expect(() => parse(yaml)).toThrow(message);
  });
});

import * as fc from 'fast-check';
import { explainExclusions, matchesAllConstraints, matchesConstraint } from './constraint-evaluator';
import { parseConstraint, parseConstraints } from './constraint-parser';

const node = {
  cpus: 40,
  memory_mb: '262144',
  memory: '256GiB',
  local_gb: 930,
  cpu_arch: 'x86_64',
  gpu: 'a100',
  vendor: 'Dell Inc.',
  capabilities: 'boot_mode:uefi,cpu_vt:true',
  root_device: { size: 100, model: 'PERC' },
  secure: true,
  rack: null,
  tags: ['fast'],
};

describe('matchesConstraint', () => {
  it.each([
    // Numbers compare as numbers, whether JSON numbers or numeric strings.
    ['cpus>=16', true],
    ['cpus>=40', true],
    ['cpus>40', false],
    ['cpus<=40', true],
    ['cpus<41', true],
    ['cpus==40', true],
    ['cpus=40.0', true],
    ['cpus!=40', false],
    ['cpus!=16', true],
    ['memory_mb>=65536', true],
    ['memory_mb>=1000000', false],
    // The string comparison Blazar makes would say "262144" < "64".
    ['memory_mb>64', true],
    // Size suffixes on either side.
    ['memory>=128GiB', true],
    ['memory==256GiB', true],
    ['memory==262144MiB', true],
    ['memory>=256GB', true],
    ['memory==256GB', false],
    ['memory>300GB', false],
    ['memory>274877906943', true],
    ['local_gb>=930', true],
    // Text compares as text, case-sensitively, by code point.
    ['cpu_arch==x86_64', true],
    ['cpu_arch=X86_64', false],
    ['cpu_arch!=aarch64', true],
    ['cpu_arch>x86', true],
    ['cpu_arch<x86', false],
    ['vendor==Dell Inc.', true],
    // One numeric side only: text.
    ['cpu_arch>=16', true],
    ['gpu==100', false],
    // Alternatives.
    ['gpu==a100|h100', true],
    ['gpu==h100|v100', false],
    ['gpu!=h100|v100', true],
    ['gpu!=a100|h100', false],
    ['cpus==32|40', true],
    ['cpus==32|64', false],
    // Presence and absence; null counts as absent.
    ['gpu', true],
    ['!gpu', false],
    ['fpga', false],
    ['!fpga', true],
    ['rack', false],
    ['!rack', true],
    ['root_device', true],
    // A comparison needs the property: missing or null never satisfies one, not even !=.
    ['fpga!=xilinx', false],
    ['fpga==xilinx', false],
    ['rack!=r1', false],
    ['fpga<100', false],
    // Nested properties and Ironic capabilities.
    ['root_device.size>=50', true],
    ['root_device.size>=500', false],
    ['root_device.model==PERC', true],
    ['root_device.vendor', false],
    ['capabilities.boot_mode==uefi', true],
    ['capabilities.boot_mode==bios|legacy', false],
    ['capabilities.cpu_vt==true', true],
    ['capabilities.cpu_vt', true],
    ['!capabilities.secure_boot', true],
    // Booleans read as their JSON spelling.
    ['secure==true', true],
    ['secure!=false', true],
    // Objects and arrays have no scalar value: present, but no comparison holds.
    ['root_device==PERC', false],
    ['root_device!=PERC', false],
    ['tags==fast', false],
    ['tags', true],
  ])('%s → %s', (text, expected) => {
    expect(matchesConstraint(node, parseConstraint(text))).toBe(expected);
  });

  it('matches nothing but absence in properties that are null or not an object', () => {
    for (const properties of [null, undefined, 'cpus:40', 40, []]) {
      expect(matchesConstraint(properties, parseConstraint('cpus'))).toBe(false);
      expect(matchesConstraint(properties, parseConstraint('cpus>=0'))).toBe(false);
      expect(matchesConstraint(properties, parseConstraint('!cpus'))).toBe(true);
    }
  });
});

describe('matchesAllConstraints', () => {
  it('ANDs the constraints, and no constraint keeps everything', () => {
    expect(matchesAllConstraints(node, parseConstraints(['cpus>=16', 'gpu==a100', '!fpga']))).toBe(true);
    expect(matchesAllConstraints(node, parseConstraints(['cpus>=16', 'gpu==h100']))).toBe(false);
    expect(matchesAllConstraints(node, [])).toBe(true);
    expect(matchesAllConstraints(null, [])).toBe(true);
  });

  it('is the conjunction of the single checks, in any order', () => {
    const texts = ['cpus>=16', 'cpus<32', 'gpu', '!gpu', 'gpu==a100|h100', 'mem>=64GiB', 'mem<1TiB', 'arch!=arm'];
    const properties = fc.record(
      {
        cpus: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 64 }).map(String)),
        gpu: fc.constantFrom('a100', 'h100', 'v100', null),
        mem: fc.constantFrom('32GiB', '64GiB', '65536MiB', '2TiB', 'lots'),
        arch: fc.constantFrom('x86_64', 'arm'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(properties, fc.shuffledSubarray(texts), (props, chosen) => {
        const constraints = parseConstraints(chosen);
        const expected = constraints.every((c) => matchesConstraint(props, c));
        expect(matchesAllConstraints(props, constraints)).toBe(expected);
        expect(matchesAllConstraints(props, [...constraints].reverse())).toBe(expected);
      }),
    );
  });
});

describe('explainExclusions', () => {
  const fleet = [
    { cpus: 64, gpu: 'a100', memory: '512GiB' },
    { cpus: 32, gpu: 'a100', memory: '256GiB' },
    { cpus: 16, gpu: 'v100', memory: '256GiB' },
    { cpus: 8, memory: '64GiB' },
    { cpus: 64, memory: '1TiB' },
  ];

  it('counts per constraint, and names the one that excluded most', () => {
    const report = explainExclusions(fleet, parseConstraints(['cpus>=32', 'gpu==a100|h100', 'memory>=128GiB']));
    expect(report).toEqual({
      candidates: 5,
      matching: 2,
      byConstraint: [
        { constraint: 'cpus>=32', excluded: 2, excludedOnlyByThis: 0 },
        { constraint: 'gpu==a100|h100', excluded: 3, excludedOnlyByThis: 1 },
        { constraint: 'memory>=128GiB', excluded: 1, excludedOnlyByThis: 0 },
      ],
      mostExcluding: 'gpu==a100|h100',
    });
  });

  it('names the first of equals, and nothing when nothing was excluded', () => {
    expect(explainExclusions(fleet, parseConstraints(['cpus>=64', 'memory>=512GiB'])).mostExcluding).toBe('cpus>=64');
    expect(explainExclusions(fleet, parseConstraints(['memory>=512GiB', 'cpus>=64'])).mostExcluding).toBe(
      'memory>=512GiB',
    );
    expect(explainExclusions(fleet, parseConstraints(['cpus>=8']))).toEqual({
      candidates: 5,
      matching: 5,
      byConstraint: [{ constraint: 'cpus>=8', excluded: 0, excludedOnlyByThis: 0 }],
      mostExcluding: null,
    });
    expect(explainExclusions([], parseConstraints(['cpus>=8'])).mostExcluding).toBeNull();
    expect(explainExclusions(fleet, [])).toEqual({ candidates: 5, matching: 5, byConstraint: [], mostExcluding: null });
  });

  it('agrees with filtering one constraint at a time, on random fleets', () => {
    const texts = ['cpus>=16', 'cpus<48', 'gpu', '!gpu', 'gpu==a100', 'memory>=256GiB'];
    const nodeArb = fc.record(
      {
        cpus: fc.integer({ min: 1, max: 64 }),
        gpu: fc.constantFrom('a100', 'v100'),
        memory: fc.constantFrom('64GiB', '256GiB', '1TiB'),
      },
      { requiredKeys: ['cpus'] },
    );
    fc.assert(
      fc.property(fc.array(nodeArb, { maxLength: 20 }), fc.subarray(texts), (nodes, chosen) => {
        const constraints = parseConstraints(chosen);
        const report = explainExclusions(nodes, constraints);
        expect(report.matching).toBe(nodes.filter((n) => matchesAllConstraints(n, constraints)).length);
        constraints.forEach((c, i) => {
          const others = constraints.filter((_, j) => j !== i);
          expect(report.byConstraint[i].excluded).toBe(nodes.filter((n) => !matchesConstraint(n, c)).length);
          expect(report.byConstraint[i].excludedOnlyByThis).toBe(
            nodes.filter((n) => !matchesConstraint(n, c) && matchesAllConstraints(n, others)).length,
          );
        });
        const top = Math.max(0, ...report.byConstraint.map((b) => b.excluded));
        const first = report.byConstraint.find((b) => b.excluded === top && top > 0);
        expect(report.mostExcluding).toBe(first ? first.constraint : null);
      }),
    );
  });
});

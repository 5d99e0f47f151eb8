import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { renderSamplePolicy, SAMPLE_POLICY_PATH, writeSamplePolicy } from './genpolicy';
import { parsePolicyFileContents } from './policy-file';

describe('genpolicy', () => {
  it('renders each rule commented out under its description and operations', () => {
    const sample = renderSamplePolicy([
      {
        name: 'esi_leap:offer:claim',
        checkString: 'rule:is_admin',
        description: 'Claim an offer',
        operations: [{ method: 'POST', path: '/offers/{offer_ident}/claim' }],
      },
      { name: 'is_admin', checkString: 'role:admin', description: 'Admin', operations: [] },
    ]);
    expect(sample).toBe(
      '# Claim an offer\n# POST  /offers/{offer_ident}/claim\n#"esi_leap:offer:claim": "rule:is_admin"\n\n' +
        '# Admin\n#"is_admin": "role:admin"\n\n',
    );
  });

  it('wraps long descriptions at 70 columns like oslo.policy', () => {
    const description = Array.from({ length: 20 }, (_, i) => `word${i}`).join(' ');
    const sample = renderSamplePolicy([{ name: 'r', checkString: '@', description, operations: [] }]);
    const comments = sample.split('\n').filter((line) => line.startsWith('# '));
    expect(comments.length).toBeGreaterThan(1);
    expect(comments.every((line) => line.length <= 70)).toBe(true);
    expect(comments.map((line) => line.slice(2)).join(' ')).toBe(description);
  });

  it('matches the checked-in config/policy.yaml.sample (regenerate it with writeSamplePolicy)', () => {
    const checkedIn = readFileSync(resolve(__dirname, '../..', SAMPLE_POLICY_PATH), 'utf8');
    expect(checkedIn).toBe(renderSamplePolicy());
  });

  it('produces a file that overrides nothing until a line is uncommented', () => {
    const sample = renderSamplePolicy();
    expect(parsePolicyFileContents(sample)).toEqual({});
    const uncommented = sample.replace('#"esi_leap:offer:get":', '"esi_leap:offer:get":');
    expect(parsePolicyFileContents(uncommented)).toEqual({
      'esi_leap:offer:get': 'rule:is_admin or rule:is_owner or rule:is_lessee',
    });
  });

  it('writes the rendering to the given path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esi-leap-genpolicy-'));
    try {
      writeSamplePolicy(join(dir, 'policy.yaml.sample'));
      expect(readFileSync(join(dir, 'policy.yaml.sample'), 'utf8')).toBe(renderSamplePolicy());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

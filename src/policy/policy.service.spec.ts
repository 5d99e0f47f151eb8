import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyCredentials, PolicyCredentials } from '../auth/request-context';
import { HTTPForbidden } from '../common/errors/esi-leap.exceptions';
import { PolicyService } from './policy.service';

const admin: PolicyCredentials = { ...emptyCredentials(), project_id: 'p-admin', roles: ['admin'] };
const nobody: PolicyCredentials = { ...emptyCredentials(), project_id: 'p-x', roles: [] };

describe('PolicyService', () => {
  describe('enforce', () => {
    const policy = PolicyService.forTesting();

    it('evaluates a registered rule with target = a copy of creds by default', () => {
      expect(policy.enforce('esi_leap:offer:create', admin)).toBe(true);
      expect(policy.enforce('esi_leap:offer:create', nobody)).toBe(false);
    });

    it('uses the target it is given', () => {
      const target = { ...nobody, 'offer.project_id': 'p-x' };
      expect(policy.enforce('esi_leap:offer:delete', nobody, target)).toBe(true);
    });

    it('throws a plain error (a server fault) for a rule that is not registered', () => {
      expect(() => policy.enforce('esi_leap:offer:typo', admin)).toThrow(
        new Error('Policy rule esi_leap:offer:typo is not registered'),
      );
    });
  });

  describe('authorize', () => {
    const policy = PolicyService.forTesting();

    it('returns quietly when the rule allows', () => {
      expect(() => policy.authorize('esi_leap:offer:get_all', admin)).not.toThrow();
    });

    it('throws 403 "Access was denied to <rule>." when it denies', () => {
      let thrown: unknown;
      try {
        policy.authorize('esi_leap:offer:get_all', nobody);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(HTTPForbidden);
      expect(thrown).toMatchObject({ status: 403, message: 'Access was denied to esi_leap:offer:get_all.' });
    });
  });

  describe('with auth disabled (noauth)', () => {
    const policy = PolicyService.forTesting({ 'esi_leap:offer:get_all': '!' }, false);

    it('lets every check pass, whatever the rule says or whether it exists', () => {
      expect(policy.enforce('esi_leap:offer:get_all', nobody)).toBe(true);
      expect(policy.enforce('esi_leap:lease:lease_admin', nobody)).toBe(true);
      expect(policy.enforce('not:a:rule', nobody)).toBe(true);
      expect(() => policy.authorize('esi_leap:offer:get_all', nobody)).not.toThrow();
    });
  });

  describe('forTesting', () => {
    it('adds or replaces rules as if registered in code', () => {
      const policy = PolicyService.forTesting({ 'esi_leap:offer:get_all': '@', custom: 'rule:is_admin' });
      expect(policy.enforce('esi_leap:offer:get_all', nobody)).toBe(true);
      expect(policy.enforce('custom', admin)).toBe(true);
      expect(policy.enforce('esi_leap:offer:get', nobody)).toBe(false);
    });
  });

  describe('fromSources', () => {
    it('applies the policy file, but rules only the file defines cannot be enforced directly', () => {
      const dir = mkdtempSync(join(tmpdir(), 'esi-leap-policy-svc-'));
      try {
        writeFileSync(join(dir, 'policy.yaml'), 'esi_leap:offer:get_all: "rule:anyone"\nanyone: "@"\n');
        const policy = PolicyService.fromSources(
          {
            policyFile: 'policy.yaml',
            policyFileRequired: false,
            policyDirs: [],
            searchDirs: [dir],
            defaultRule: 'default',
          },
          true,
          { logger: { log: jest.fn(), warn: jest.fn(), error: jest.fn() } },
        );
        expect(policy.enforce('esi_leap:offer:get_all', nobody)).toBe(true);
        expect(() => policy.enforce('anyone', nobody)).toThrow('Policy rule anyone is not registered');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

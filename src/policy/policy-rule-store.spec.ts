import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyCheck } from './policy-check';
import { PolicyFileError, policySearchDirs } from './policy-file';
import { PolicyRuleStore, PolicySources } from './policy-rule-store';

const DEFAULTS = {
  is_admin: 'role:admin',
  'esi_leap:offer:get': 'rule:is_admin',
  'esi_leap:offer:create': '!',
};

describe('PolicyRuleStore', () => {
  let dir: string;
  let clock: number;
  let logger: { log: jest.Mock; warn: jest.Mock; error: jest.Mock };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'esi-leap-policy-'));
    clock = 1_000_000;
    logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function sources(overrides: Partial<PolicySources> = {}): PolicySources {
    return {
      policyFile: 'policy.yaml',
      policyFileRequired: false,
      policyDirs: [],
      searchDirs: [dir],
      defaultRule: 'default',
      ...overrides,
    };
  }
  function store(src: PolicySources = sources()): PolicyRuleStore {
    return new PolicyRuleStore(DEFAULTS, src, { now: () => clock, logger });
  }
  /** Writes a file with an explicit mtime, so a rewrite within the same millisecond still counts as a change. */
  function write(path: string, text: string, mtimeSeconds = 1_700_000_000): void {
    writeFileSync(path, text);
    utimesSync(path, mtimeSeconds, mtimeSeconds);
  }
  const ruleOf = (s: PolicyRuleStore, name: string): PolicyCheck | undefined => s.current().get(name);

  it('uses the defaults when the default policy file is absent', () => {
    const s = store();
    expect(ruleOf(s, 'esi_leap:offer:get')).toEqual({ type: 'rule', name: 'is_admin' });
    expect(s.current().names()).toEqual(Object.keys(DEFAULTS));
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('replaces only the rules a YAML file names, and adds the extra ones', () => {
    write(join(dir, 'policy.yaml'), '# comment\n"esi_leap:offer:get": "role:reader"\nis_reader: "@"\n');
    const s = store();
    expect(ruleOf(s, 'esi_leap:offer:get')).toEqual({ type: 'role', match: 'reader' });
    expect(ruleOf(s, 'is_admin')).toEqual({ type: 'role', match: 'admin' });
    expect(ruleOf(s, 'is_reader')).toEqual({ type: 'true' });
    expect(s.isRegistered('is_reader')).toBe(false);
    expect(s.isRegistered('esi_leap:offer:get')).toBe(true);
  });

  it('reads a JSON file too, whatever its name', () => {
    write(join(dir, 'policy.json'), '{"esi_leap:offer:create": "role:owner"}');
    const s = store(sources({ policyFile: 'policy.json', policyFileRequired: true }));
    expect(ruleOf(s, 'esi_leap:offer:create')).toEqual({ type: 'role', match: 'owner' });
    expect(ruleOf(s, 'esi_leap:offer:get')).toEqual({ type: 'rule', name: 'is_admin' });
  });

  it('treats a file of comments only (the sample) as no overrides', () => {
    write(join(dir, 'policy.yaml'), '#"is_admin": "role:admin"\n\n');
    expect(ruleOf(store(), 'is_admin')).toEqual({ type: 'role', match: 'admin' });
  });

  it('keeps the last of duplicated YAML keys, as PyYAML does', () => {
    write(join(dir, 'policy.yaml'), 'is_admin: "role:a"\nis_admin: "role:b"\n');
    expect(ruleOf(store(), 'is_admin')).toEqual({ type: 'role', match: 'b' });
  });

  it('takes an absolute path as is', () => {
    const other = mkdtempSync(join(tmpdir(), 'esi-leap-policy-abs-'));
    try {
      write(join(other, 'custom.yaml'), 'is_admin: "role:root"\n');
      const s = store(sources({ policyFile: join(other, 'custom.yaml'), policyFileRequired: true }));
      expect(ruleOf(s, 'is_admin')).toEqual({ type: 'role', match: 'root' });
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('layers each policy directory file, in name order, over the policy file', () => {
    write(join(dir, 'policy.yaml'), 'is_admin: "role:a"\nesi_leap:offer:create: "role:a"\n');
    mkdirSync(join(dir, 'policy.d'));
    write(join(dir, 'policy.d', '20-late.yaml'), 'is_admin: "role:late"\n');
    write(join(dir, 'policy.d', '10-early.json'), '{"is_admin": "role:early", "esi_leap:offer:get": "@"}');
    write(join(dir, 'policy.d', '.hidden.yaml'), 'is_admin: "role:hidden"\n');
    const s = store(sources({ policyDirs: ['policy.d', 'missing.d'] }));
    expect(ruleOf(s, 'is_admin')).toEqual({ type: 'role', match: 'late' });
    expect(ruleOf(s, 'esi_leap:offer:get')).toEqual({ type: 'true' });
    expect(ruleOf(s, 'esi_leap:offer:create')).toEqual({ type: 'role', match: 'a' });
  });

  describe('start-up errors', () => {
    it('stops when a policy file named explicitly is missing', () => {
      expect(() => store(sources({ policyFile: 'custom.yaml', policyFileRequired: true }))).toThrow(
        new PolicyFileError(`policy file custom.yaml not found (looked in ${dir})`),
      );
    });

    it.each([
      ['unparseable', 'is_admin: [unclosed\n', /cannot parse policy file .*policy\.yaml/],
      ['not a mapping', '- role:admin\n', /expected a mapping of rule names to check strings/],
      [
        'a rule that is not a check string',
        'is_admin: 5\n',
        /policy rule "is_admin" \(.*policy\.yaml\): a rule must be/,
      ],
    ])('stops when the file found is %s', (_what, text, message) => {
      write(join(dir, 'policy.yaml'), text);
      expect(() => store()).toThrow(PolicyFileError);
      expect(() => store()).toThrow(message);
    });

    it('stops when a policy directory entry is a file', () => {
      write(join(dir, 'policy.d'), 'x');
      expect(() => store(sources({ policyDirs: ['policy.d'] }))).toThrow(/is not a directory/);
    });
  });

  it('answers an undefined name with the policy_default_rule when the files define it', () => {
    write(join(dir, 'policy.yaml'), 'default: "role:fallback"\n');
    expect(ruleOf(store(), 'no_such_rule')).toEqual({ type: 'role', match: 'fallback' });
    expect(ruleOf(store(sources({ defaultRule: '' })), 'no_such_rule')).toBeUndefined();
    rmSync(join(dir, 'policy.yaml'));
    expect(ruleOf(store(), 'no_such_rule')).toBeUndefined();
  });

  it('warns about rules that parse to "deny" or "allow everyone"', () => {
    write(join(dir, 'policy.yaml'), 'is_admin: "admin"\nesi_leap:offer:get:\n');
    const s = store();
    expect(ruleOf(s, 'is_admin')).toEqual({ type: 'false' });
    expect(ruleOf(s, 'esi_leap:offer:get')).toEqual({ type: 'true' });
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('policy rule "is_admin"'));
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('an empty value allows everyone'));
  });

  describe('live reload', () => {
    const file = () => join(dir, 'policy.yaml');

    it('re-reads the file when its mtime changes, at most once per second', () => {
      write(file(), 'is_admin: "role:one"\n', 1_700_000_000);
      const s = store();
      write(file(), 'is_admin: "role:two"\n', 1_700_000_100);

      clock += 999;
      expect(ruleOf(s, 'is_admin')).toEqual({ type: 'role', match: 'one' });
      clock += 1;
      expect(ruleOf(s, 'is_admin')).toEqual({ type: 'role', match: 'two' });
      expect(ruleOf(s, 'esi_leap:offer:get')).toEqual({ type: 'rule', name: 'is_admin' });
    });

    it('does not re-read an unchanged file', () => {
      write(file(), 'is_admin: "role:one"\n');
      const s = store();
      const before = s.current();
      clock += 5000;
      expect(s.current()).toBe(before);
    });

    it('picks up a default file created after start-up, and drops its rules when it is removed', () => {
      const s = store();
      write(file(), 'is_admin: "role:new"\n');
      clock += 1000;
      expect(ruleOf(s, 'is_admin')).toEqual({ type: 'role', match: 'new' });
      rmSync(file());
      clock += 1000;
      expect(ruleOf(s, 'is_admin')).toEqual({ type: 'role', match: 'admin' });
    });

    it('keeps the rules in force when an edit breaks the file, logging it once', () => {
      write(file(), 'is_admin: "role:good"\n', 1_700_000_000);
      const s = store();
      write(file(), 'is_admin: [broken\n', 1_700_000_100);
      for (let i = 0; i < 3; i++) {
        clock += 1000;
        expect(ruleOf(s, 'is_admin')).toEqual({ type: 'role', match: 'good' });
      }
      expect(logger.error).toHaveBeenCalledTimes(1);
      expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/cannot parse.*keeping the rules in force/s));

      write(file(), 'is_admin: "role:fixed"\n', 1_700_000_200);
      clock += 1000;
      expect(ruleOf(s, 'is_admin')).toEqual({ type: 'role', match: 'fixed' });
    });

    it('keeps the rules in force when an explicitly named file disappears', () => {
      write(file(), 'is_admin: "role:good"\n');
      const s = store(sources({ policyFileRequired: true }));
      rmSync(file());
      clock += 1000;
      expect(ruleOf(s, 'is_admin')).toEqual({ type: 'role', match: 'good' });
      expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('not found'));
    });

    it('notices a new file in a policy directory', () => {
      mkdirSync(join(dir, 'policy.d'));
      const s = store(sources({ policyDirs: ['policy.d'] }));
      write(join(dir, 'policy.d', 'extra.yaml'), 'is_admin: "role:extra"\n');
      clock += 1000;
      expect(ruleOf(s, 'is_admin')).toEqual({ type: 'role', match: 'extra' });
    });
  });

  it('without sources holds only the given rules and never touches the disk', () => {
    const s = new PolicyRuleStore(DEFAULTS);
    expect(s.current().names()).toEqual(Object.keys(DEFAULTS));
  });
});

describe('policySearchDirs', () => {
  it('searches the config files’ directories, the last file first, then the current directory', () => {
    expect(
      policySearchDirs(['/etc/esi-leap/esi-leap.conf', 'conf.d/extra.conf', '/etc/esi-leap/b.conf'], '/srv'),
    ).toEqual(['/etc/esi-leap', '/srv/conf.d', '/srv']);
    expect(policySearchDirs([], '/srv')).toEqual(['/srv']);
  });
});

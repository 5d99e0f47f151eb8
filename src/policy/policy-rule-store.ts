import { Logger, LoggerService } from '@nestjs/common';
import { statSync } from 'node:fs';
import { parseRule } from './check-string.parser';
import { PolicyCheck } from './policy-check';
import { findPolicyPath, listPolicyDirectory, PolicyFileError, readPolicyFile } from './policy-file';

/** Where operator overrides come from (`[oslo_policy]`). */
export interface PolicySources {
  /** `policy_file`, absolute or relative to `searchDirs`. */
  readonly policyFile: string;
  /** True when the operator named the file, so it must exist; the default name may be absent. */
  readonly policyFileRequired: boolean;
  /** `policy_dirs`: each existing one adds its files, in name order, over `policyFile`. */
  readonly policyDirs: readonly string[];
  readonly searchDirs: readonly string[];
  /** `policy_default_rule`: the rule a `rule:` reference to an undefined name falls back to, if defined. */
  readonly defaultRule: string;
}

/** One consistent snapshot of the rules, used for a whole evaluation. */
export class PolicyRuleSet {
  constructor(
    private readonly rules: ReadonlyMap<string, PolicyCheck>,
    private readonly defaultRule: string,
  ) {}

  /**
   * oslo.policy's `Rules[name]`: the named rule or, when there is none, the rule named by
   * `policy_default_rule` if the rule set defines it (esi-leap defines none by default).
   */
  get(name: string): PolicyCheck | undefined {
    return this.rules.get(name) ?? (this.defaultRule === '' ? undefined : this.rules.get(this.defaultRule));
  }

  names(): string[] {
    return [...this.rules.keys()];
  }
}

export interface PolicyRuleStoreOptions {
  /** Milliseconds clock; injectable so tests can step past the reload throttle. */
  readonly now?: () => number;
  readonly logger?: LoggerService;
}

/** oslo.policy re-reads a policy file whose mtime changed; we look at most this often. */
const RELOAD_CHECK_INTERVAL_MS = 1000;

/**
 * The effective rule set: code defaults, replaced rule by rule by the policy file and then
 * the policy directories. Files are re-read when their mtime (or size) changes, so
 * operators can edit policy live. A file that cannot be used stops start-up; at run time
 * the last good rules stay in force and the error is logged.
 */
export class PolicyRuleStore {
  private readonly defaults: ReadonlyMap<string, PolicyCheck>;
  private readonly now: () => number;
  private readonly logger: LoggerService;
  private rules: PolicyRuleSet;
  private fingerprint = '';
  private checkedAt = 0;
  private lastReloadError: string | null = null;

  /** Builds the store and reads the override files once; throws `PolicyFileError` if one is unusable. */
  constructor(
    defaults: Readonly<Record<string, string>>,
    private readonly sources: PolicySources | null = null,
    options: PolicyRuleStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? new Logger(PolicyRuleStore.name);
    this.defaults = this.parseRules(Object.entries(defaults), 'default');
    this.rules = new PolicyRuleSet(this.defaults, sources?.defaultRule ?? '');
    if (this.sources) this.reload(this.sources);
  }

  /** Names registered in code: the only rules the API may be asked to enforce. */
  isRegistered(name: string): boolean {
    return this.defaults.has(name);
  }

  /** The rules in force now, after picking up any file change. */
  current(): PolicyRuleSet {
    if (this.sources && this.now() - this.checkedAt >= RELOAD_CHECK_INTERVAL_MS) {
      try {
        this.reload(this.sources);
        this.lastReloadError = null;
      } catch (err) {
        // Logged once per distinct problem, not every second until the operator fixes it.
        const message = (err as Error).message;
        if (message !== this.lastReloadError) this.logger.error(`${message}; keeping the rules in force`);
        this.lastReloadError = message;
      }
    }
    return this.rules;
  }

  private reload(sources: PolicySources): void {
    this.checkedAt = this.now();
    const files = locatePolicyFiles(sources);
    const fingerprint = files.map(describeVersion).join('\n');
    if (fingerprint === this.fingerprint) return;
    const rules = new Map(this.defaults);
    for (const file of files) {
      for (const [name, check] of this.parseRules(Object.entries(readPolicyFile(file)), file)) rules.set(name, check);
    }
    this.rules = new PolicyRuleSet(rules, sources.defaultRule);
    this.fingerprint = fingerprint;
    this.logger.log(
      files.length > 0
        ? `Policy overrides loaded from ${files.join(', ')}`
        : 'Policy override files are gone; the default rules are in force',
    );
  }

  private parseRules(entries: [string, unknown][], origin: string): Map<string, PolicyCheck> {
    const rules = new Map<string, PolicyCheck>();
    for (const [name, value] of entries) {
      const report = (problem: string) => this.logger.warn(`policy rule "${name}" (${origin}): ${problem}`);
      try {
        rules.set(name, parseRule(value, report));
      } catch (err) {
        throw new PolicyFileError(`policy rule "${name}" (${origin}): ${(err as Error).message}`);
      }
    }
    return rules;
  }
}

/** The override files in the order they apply: the policy file, then each policy directory's files. */
function locatePolicyFiles(sources: PolicySources): string[] {
  const files: string[] = [];
  const policyFile = findPolicyPath(sources.policyFile, sources.searchDirs);
  if (policyFile) files.push(policyFile);
  else if (sources.policyFileRequired) {
    throw new PolicyFileError(
      `policy file ${sources.policyFile} not found (looked in ${sources.searchDirs.join(', ')})`,
    );
  }
  for (const dir of sources.policyDirs) {
    const found = findPolicyPath(dir, sources.searchDirs);
    if (found) files.push(...listPolicyDirectory(found));
  }
  return files;
}

function describeVersion(file: string): string {
  const stat = statSync(file);
  return `${file} ${stat.mtimeMs} ${stat.size}`;
}

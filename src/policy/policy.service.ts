import { Injectable } from '@nestjs/common';
import { PolicyCredentials } from '../auth/request-context';
import { HTTPForbidden } from '../common/errors/esi-leap.exceptions';
import { DEFAULT_POLICY_RULES } from './default-rules';
import { evaluateCheck } from './policy-check.evaluator';
import { PolicyRuleStore, PolicyRuleStoreOptions, PolicySources } from './policy-rule-store';

/** A target for a policy check: a copy of creds plus, for object checks, the object's keys. */
export type PolicyTarget = Readonly<Record<string, unknown>>;

/**
 * esi-leap's `policy.authorize`: evaluates a registered rule for the caller.
 * `authEnabled = false` is upstream's noauth behaviour, where every check passes;
 * `PolicyModule` always enforces, also in noauth mode (docs/decisions.md, "Identity and policy").
 */
@Injectable()
export class PolicyService {
  constructor(
    private readonly rules: PolicyRuleStore,
    private readonly authEnabled: boolean,
  ) {}

  /** Reads the policy files named by the config; throws `PolicyFileError` if one is unusable. */
  static fromSources(sources: PolicySources, authEnabled: boolean, options?: PolicyRuleStoreOptions): PolicyService {
    return new PolicyService(new PolicyRuleStore(defaultCheckStrings(), sources, options), authEnabled);
  }

  /**
   * For unit tests of other modules: the default rules, with `rules` added or replacing
   * defaults as if they were registered in code; no policy file.
   */
  static forTesting(rules: Readonly<Record<string, string>> = {}, authEnabled = true): PolicyService {
    return new PolicyService(new PolicyRuleStore({ ...defaultCheckStrings(), ...rules }), authEnabled);
  }

  /**
   * Whether `rule` allows the caller. The target defaults to a copy of creds. Asking for a
   * rule that is not registered in code is a programming error, so it throws.
   */
  enforce(rule: string, creds: PolicyCredentials, target: PolicyTarget = { ...creds }): boolean {
    // Upstream returns before consulting the enforcer, so in noauth mode even unknown names pass.
    if (!this.authEnabled) return true;
    const rules = this.rules.current();
    const check = this.rules.isRegistered(rule) ? rules.get(rule) : undefined;
    if (check === undefined) throw new Error(`Policy rule ${rule} is not registered`);
    return evaluateCheck(check, { target, creds, lookupRule: (name) => rules.get(name) });
  }

  /** Like `enforce`, but a denial throws 403 `Access was denied to <rule>.` */
  authorize(rule: string, creds: PolicyCredentials, target?: PolicyTarget): void {
    if (!this.enforce(rule, creds, target)) throw new HTTPForbidden({ rule });
  }
}

function defaultCheckStrings(): Record<string, string> {
  return Object.fromEntries(DEFAULT_POLICY_RULES.map((r) => [r.name, r.checkString]));
}

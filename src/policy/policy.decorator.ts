import { SetMetadata } from '@nestjs/common';
import { DefaultPolicyRuleName } from './default-rules';

export const POLICY_RULE_KEY = 'esi_leap:policy_rule';

/**
 * The rule `PolicyGuard` checks before the handler runs, with target = creds. Object
 * rules (`offer:get`, `lease:get`, …) need the loaded object, so services check those.
 */
export const Policy = (rule: DefaultPolicyRuleName) => SetMetadata(POLICY_RULE_KEY, rule);

import { PolicyCheck } from './policy-check';
import { pythonLiteralStr } from './python-literal';
import { dictGet, pyStr } from './python-values';
import { interpolateTarget } from './target-interpolation';

export interface CheckInputs {
  /** What is being acted on; `%(key)s` reads it (a copy of creds, plus object keys). */
  readonly target: Readonly<Record<string, unknown>>;
  /** Who is acting; `role:` and generic checks read it. */
  readonly creds: object;
  /** The current rule set, for `rule:NAME`. */
  readonly lookupRule: (name: string) => PolicyCheck | undefined;
}

/** Evaluates a parsed check string with oslo.policy's semantics. */
export function evaluateCheck(check: PolicyCheck, inputs: CheckInputs): boolean {
  return evaluate(check, inputs, []);
}

function evaluate(check: PolicyCheck, inputs: CheckInputs, activeRules: readonly string[]): boolean {
  switch (check.type) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'not':
      return !evaluate(check.check, inputs, activeRules);
    case 'and':
      return check.checks.every((c) => evaluate(c, inputs, activeRules));
    case 'or':
      return check.checks.some((c) => evaluate(c, inputs, activeRules));
    case 'rule':
      return evaluateRule(check.name, inputs, activeRules);
    case 'role':
      return evaluateRole(check.match, inputs);
    case 'generic':
      return evaluateGeneric(check.kind, check.match, inputs);
  }
}

function evaluateRule(name: string, inputs: CheckInputs, activeRules: readonly string[]): boolean {
  const rule = inputs.lookupRule(name);
  // A rule that refers back to itself would recurse forever (a 500 in oslo.policy); deny instead.
  if (rule === undefined || activeRules.includes(name)) return false;
  return evaluate(rule, inputs, [...activeRules, name]);
}

function evaluateRole(match: string, inputs: CheckInputs): boolean {
  const role = interpolateTarget(match, inputs.target);
  const roles = dictGet(inputs.creds, 'roles');
  if (role === null || !roles.found || !Array.isArray(roles.value)) return false;
  const wanted = role.toLowerCase();
  return roles.value.some((r) => typeof r === 'string' && r.toLowerCase() === wanted);
}

function evaluateGeneric(kind: string, match: string, inputs: CheckInputs): boolean {
  const expected = interpolateTarget(match, inputs.target);
  if (expected === null) return false;
  const literal = pythonLiteralStr(kind);
  if (literal !== null) return expected === literal;
  return matchesPath(inputs.creds, kind.split('.'), expected);
}

/** oslo.policy's `_find_in_dict`: walk a dotted path into creds; a list matches if any element does. */
function matchesPath(value: unknown, path: readonly string[], expected: string): boolean {
  if (path.length === 0) return expected === pyStr(value);
  const entry = dictGet(value, path[0]);
  if (!entry.found) return false;
  const rest = path.slice(1);
  if (Array.isArray(entry.value)) return entry.value.some((element) => matchesPath(element, rest, expected));
  return matchesPath(entry.value, rest, expected);
}

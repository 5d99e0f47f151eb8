import { FALSE_CHECK, PolicyCheck, TRUE_CHECK } from './policy-check';

/** Told about text that parses to "deny" because it is malformed (oslo.policy logs these). */
export type ParseProblemReporter = (problem: string) => void;

const ignoreProblem: ParseProblemReporter = () => undefined;

/**
 * Parses one policy rule as found in defaults or in a policy file: a check string, the
 * legacy list-of-lists form (outer list = or, inner list = and) or YAML null (an empty
 * value, which oslo.policy reads as "always allow"). Anything else is not a rule.
 */
export function parseRule(value: unknown, report: ParseProblemReporter = ignoreProblem): PolicyCheck {
  if (typeof value === 'string') return parseCheckString(value, report);
  if (value === null) {
    report('an empty value allows everyone');
    return TRUE_CHECK;
  }
  if (Array.isArray(value)) return parseListRule(value, report);
  throw new TypeError(`a rule must be a check string, got ${JSON.stringify(value)}`);
}

/**
 * Port of oslo.policy's `_parse_text_rule`: whitespace-separated tokens, parentheses
 * peeled off either end of a token, then a greedy shift-reduce parse giving `not` >
 * `and` > `or`. The empty string allows; text that does not reduce to one expression
 * (unbalanced parentheses, a dangling operator, a quoted token, only whitespace) denies.
 */
export function parseCheckString(text: string, report: ParseProblemReporter = ignoreProblem): PolicyCheck {
  if (text === '') return TRUE_CHECK;
  const parser = new ShiftReduceParser();
  for (const token of tokenize(text, report)) parser.shift(token);
  const result = parser.result();
  if (result) return result;
  report(`cannot parse check string "${text}"; it denies everyone`);
  return FALSE_CHECK;
}

/** Port of oslo.policy's `_parse_check`: one `kind:match` atom, split at the first colon. */
export function parseCheckAtom(atom: string, report: ParseProblemReporter = ignoreProblem): PolicyCheck {
  if (atom === '!') return FALSE_CHECK;
  if (atom === '@') return TRUE_CHECK;
  const colon = atom.indexOf(':');
  if (colon < 0) {
    report(`check "${atom}" has no "kind:match" form; it is false`);
    return FALSE_CHECK;
  }
  const kind = atom.slice(0, colon);
  const match = atom.slice(colon + 1);
  switch (kind) {
    case 'rule':
      return { type: 'rule', name: match };
    case 'role':
      return { type: 'role', match };
    case 'http':
    case 'https':
      // Remote (HTTP callout) checks are not supported; they fail closed.
      report(`remote check "${atom}" is not supported; it is false`);
      return FALSE_CHECK;
    default:
      return { type: 'generic', kind, match };
  }
}

function parseListRule(rule: readonly unknown[], report: ParseProblemReporter): PolicyCheck {
  if (rule.length === 0) return TRUE_CHECK;
  const alternatives: PolicyCheck[] = [];
  for (const inner of rule) {
    const atoms = typeof inner === 'string' ? [inner] : Array.isArray(inner) ? inner : [];
    if (atoms.length === 0) continue;
    const checks = atoms.map((atom: unknown) =>
      typeof atom === 'string' ? parseCheckAtom(atom, report) : FALSE_CHECK,
    );
    alternatives.push(checks.length === 1 ? checks[0] : { type: 'and', checks });
  }
  if (alternatives.length === 0) return FALSE_CHECK;
  return alternatives.length === 1 ? alternatives[0] : { type: 'or', checks: alternatives };
}

type Token =
  | { readonly kind: '(' | ')' | 'and' | 'or' | 'not' | 'string' }
  | { readonly kind: 'check'; readonly check: PolicyCheck };

function* tokenize(text: string, report: ParseProblemReporter): Generator<Token> {
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    const afterOpen = word.replace(/^\(+/, '');
    for (let i = afterOpen.length; i < word.length; i++) yield { kind: '(' };
    if (afterOpen === '') continue;
    const core = afterOpen.replace(/\)+$/, '');
    const lowered = core.toLowerCase();
    if (lowered === 'and' || lowered === 'or' || lowered === 'not') {
      yield { kind: lowered };
    } else if (core !== '') {
      // oslo.policy tests the quotes on the token *before* trailing parentheses are removed.
      const first = afterOpen[0];
      const quoted = afterOpen.length >= 2 && (first === '"' || first === "'") && afterOpen.endsWith(first);
      yield quoted ? { kind: 'string' } : { kind: 'check', check: parseCheckAtom(core, report) };
    }
    for (let i = core.length; i < afterOpen.length; i++) yield { kind: ')' };
  }
}

type StackEntry =
  | { readonly kind: '(' | ')' | 'and' | 'or' | 'not' | 'string' }
  | {
      readonly kind: 'check' | 'and_expr' | 'or_expr';
      readonly check: PolicyCheck;
    };

/** oslo.policy's `ParseState`: after every shift, reduce the top of the stack greedily. */
class ShiftReduceParser {
  private readonly stack: StackEntry[] = [];

  shift(token: Token): void {
    this.stack.push(token);
    while (this.reduceOnce());
  }

  result(): PolicyCheck | null {
    const [only] = this.stack;
    return this.stack.length === 1 && 'check' in only ? only.check : null;
  }

  private reduceOnce(): boolean {
    const s = this.stack;
    if (s.length >= 3) {
      const [a, op, b] = s.slice(-3);
      switch (`${a.kind} ${op.kind} ${b.kind}`) {
        case '( check )':
        case '( and_expr )':
        case '( or_expr )':
          return this.replaceTop(3, { kind: 'check', check: checkOf(op) });
        case 'check and check':
        case 'and_expr and check':
          return this.replaceTop(3, {
            kind: 'and_expr',
            check: conjoin(checkOf(a), checkOf(b)),
          });
        case 'or_expr and check': {
          // `A or B and C`: `and` binds tighter, so C joins the last alternative.
          const alternatives = alternativesOf(checkOf(a));
          const last = conjoin(alternatives[alternatives.length - 1], checkOf(b));
          return this.replaceTop(3, {
            kind: 'or_expr',
            check: { type: 'or', checks: [...alternatives.slice(0, -1), last] },
          });
        }
        case 'check or check':
        case 'and_expr or check':
          return this.replaceTop(3, {
            kind: 'or_expr',
            check: { type: 'or', checks: [checkOf(a), checkOf(b)] },
          });
        case 'or_expr or check':
          return this.replaceTop(3, {
            kind: 'or_expr',
            check: {
              type: 'or',
              checks: [...alternativesOf(checkOf(a)), checkOf(b)],
            },
          });
      }
    }
    if (s.length >= 2) {
      const [op, operand] = s.slice(-2);
      if (op.kind === 'not' && operand.kind === 'check') {
        return this.replaceTop(2, {
          kind: 'check',
          check: { type: 'not', check: operand.check },
        });
      }
    }
    return false;
  }

  private replaceTop(count: number, entry: StackEntry): true {
    this.stack.splice(-count, count, entry);
    return true;
  }
}

function checkOf(entry: StackEntry): PolicyCheck {
  if ('check' in entry) return entry.check;
  throw new Error(`policy parser: "${entry.kind}" where an expression was expected`);
}

/** `a and b`, appending to `a` when it is already a conjunction (same truth table, flatter tree). */
function conjoin(a: PolicyCheck, b: PolicyCheck): PolicyCheck {
  return { type: 'and', checks: a.type === 'and' ? [...a.checks, b] : [a, b] };
}

/** The alternatives of an `or_expr` entry (always built as an `or` check). */
function alternativesOf(orExpr: PolicyCheck): readonly PolicyCheck[] {
  return orExpr.type === 'or' ? orExpr.checks : [orExpr];
}

import { dictGet, pyStr } from './python-values';

/**
 * Python's `match % target` as oslo.policy applies it to a check's right-hand side:
 * `%(key)s` becomes `str(target[key])` and `%%` a literal `%`. The key is taken whole, so
 * `%(offer.project_id)s` reads the key `offer.project_id`, not a nested path.
 *
 * Returns `null` when the string cannot be rendered: a missing key (oslo.policy: the check is
 * false) or a conversion other than `%(key)s` (Python would raise and answer 500; failing the
 * check closed is the safer reading of a broken override).
 */
export function interpolateTarget(template: string, target: Readonly<Record<string, unknown>>): string | null {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const percent = template.indexOf('%', i);
    if (percent < 0) return out + template.slice(i);
    out += template.slice(i, percent);
    if (template[percent + 1] === '%') {
      out += '%';
      i = percent + 2;
      continue;
    }
    if (template[percent + 1] !== '(') return null;
    const close = matchingParen(template, percent + 1);
    if (close < 0 || template[close + 1] !== 's') return null;
    const key = template.slice(percent + 2, close);
    const entry = dictGet(target, key);
    if (!entry.found) return null;
    out += pyStr(entry.value);
    i = close + 2;
  }
  return out;
}

/** Python's `%` nests parentheses inside the key: `%(a(b))s` names the key `a(b)`. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

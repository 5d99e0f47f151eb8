import { pyFloatRepr } from './python-values';

const INT = /^([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?\d)*|0(?:_?0)*)$/;
const DIGITS = String.raw`\d(?:_?\d)*`;
const EXPONENT = String.raw`[eE][+-]?${DIGITS}`;
const FLOAT = new RegExp(
  String.raw`^[+-]?(?:(?:${DIGITS})?\.${DIGITS}(?:${EXPONENT})?|${DIGITS}\.(?:${EXPONENT})?|${DIGITS}${EXPONENT})$`,
);
const STRING = /^(['"])((?:\\.|(?!\1)[^\\])*)\1$/s;
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/**
 * `str(ast.literal_eval(kind))`, or `null` when `kind` is not a Python literal.
 *
 * oslo.policy's generic check first tries the left-hand side as a literal (`True:%(x)s`,
 * `'admin':%(role)s`, `123:%(n)s`) and only otherwise reads it as a path into creds. The
 * scalar literals are covered; containers (`[1]`, `{}`) fall through to the path lookup,
 * which finds no such key, so the check is false either way.
 */
export function pythonLiteralStr(kind: string): string | null {
  if (kind === 'True' || kind === 'False' || kind === 'None') return kind;
  const int = INT.exec(kind);
  if (int) {
    const magnitude = BigInt(int[2].replace(/_/g, '').replace(/^0+(?=\d)/, ''));
    return (int[1] === '-' ? -magnitude : magnitude).toString();
  }
  if (FLOAT.test(kind)) return pyFloatRepr(Number(kind.replace(/_/g, '')));
  const string = STRING.exec(kind);
  if (string) return string[2].replace(/\\(.)/gs, (escape, c: string) => ESCAPES[c] ?? escape);
  return null;
}

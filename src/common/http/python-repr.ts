import { JsonNumber } from './lossless-json';

/**
 * Python renderings of decoded JSON values, as upstream puts them into faultstrings
 * (`Value: '<repr>'`). Only the shapes JSON can produce are covered.
 */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
}

/** Python `str()`: strings bare, everything else as its repr. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/** Python type name of a decoded JSON value (`<class 'int'>` and friends). */
export function pyClass(value: unknown): string {
  if (value === null || value === undefined) return "<class 'NoneType'>";
  if (typeof value === 'boolean') return "<class 'bool'>";
  if (typeof value === 'number') return Number.isInteger(value) ? "<class 'int'>" : "<class 'float'>";
  if (value instanceof JsonNumber) return value.isInteger ? "<class 'int'>" : "<class 'float'>";
  if (typeof value === 'string') return "<class 'str'>";
  if (Array.isArray(value)) return "<class 'list'>";
  return "<class 'dict'>";
}

/** Bare Python type name (`int`, `str`, …) as in "Value not a valid dict: str". */
export function pyTypeName(value: unknown): string {
  return pyClass(value).slice(8, -2);
}

function pyNumber(n: number): string {
  if (Number.isInteger(n) && !Object.is(n, -0)) return String(n);
  const s = String(n);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

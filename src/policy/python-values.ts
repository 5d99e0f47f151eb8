/**
 * Python semantics for the JSON-like values found in policy creds and targets: `str()`,
 * `repr()` and dict lookup.
 * oslo.policy compares check operands as `str(value)`, so `null` must read `None`, `true`
 * must read `True` and a list must read `['a', 'b']` for overrides written against the
 * Python service to behave the same here.
 */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStringRepr(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const items = Object.entries(value).map(([k, v]) => `${pyStringRepr(k)}: ${pyRepr(v)}`);
    return `{${items.join(', ')}}`;
  }
  return String(value);
}

/** Python's float repr: shortest round-trip digits, `.0` on integral values, `e+XX` outside [1e-4, 1e16). */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const [mantissa, exp] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) {
    const expDigits = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${expDigits}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1) || '0';
  return `${sign}${whole}.${fraction}`;
}

function pyStringRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
}

/**
 * `container[key]` for a Python dict: only the object's own keys count (never `constructor`
 * or `__proto__` from the prototype), and lists or scalars are not dicts. An `undefined`
 * value counts as missing, because a Python dict has no such value; callers that mean `None`
 * pass `null`.
 */
export function dictGet(container: unknown, key: string): { found: true; value: unknown } | { found: false } {
  if (typeof container !== 'object' || container === null || Array.isArray(container)) return { found: false };
  if (!Object.prototype.hasOwnProperty.call(container, key)) return { found: false };
  const value: unknown = (container as Record<string, unknown>)[key];
  return value === undefined ? { found: false } : { found: true, value };
}

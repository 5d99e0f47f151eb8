/**
 * All times are naive UTC with microsecond precision (docs/decisions.md, "Time").
 *
 * JS `Date` keeps only milliseconds, and upstream emits and compares microseconds, so the
 * internal representation is the canonical string `YYYY-MM-DD HH:MM:SS.ffffff`: it sorts
 * and compares correctly as a string, it is what SQLAlchemy writes to SQLite, and MySQL
 * accepts it for DATETIME(6). Nothing here reads the process time zone.
 */
export type UtcTime = string & { readonly __brand: 'UtcTime' };

const CANONICAL = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})$/;
const CANONICAL_ONLY = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;

/** Python's `datetime.max`, the default end of an offer. */
export const FOREVER = '9999-12-31 23:59:59.999999' as UtcTime;
const MAX_MICROS = BigInt(Date.UTC(9999, 11, 31, 23, 59, 59)) * 1000n + 999999n;
/** 0001-01-01: not `Date.UTC(1, 0, 1)`, which reads years 0-99 as 1900-1999 (and so gave 1901). */
const MIN_MICROS = -62_135_596_800_000_000n;
const MICROS_PER_DAY = 86_400_000_000n;

export function isUtcTime(value: unknown): value is UtcTime {
  return typeof value === 'string' && CANONICAL.test(value);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function fromParts(y: number, mo: number, d: number, h: number, mi: number, s: number, micros: number): UtcTime {
  return `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(micros, 6)}` as UtcTime;
}

export function toEpochMicros(t: UtcTime): bigint {
  // Digits at fixed positions rather than a capturing match: capacity searches convert tens of
  // thousands of times per request.
  if (!CANONICAL_ONLY.test(t)) throw new TypeError(`not a canonical UTC time: ${t}`);
  const year = digits(t, 0, 4);
  const month = digits(t, 5, 2);
  const day = digits(t, 8, 2);
  const hour = digits(t, 11, 2);
  const minute = digits(t, 14, 2);
  const second = digits(t, 17, 2);
  const micros = digits(t, 20, 6);
  let ms: number;
  if (year >= 100) {
    ms = Date.UTC(year, month - 1, day, hour, minute, second);
  } else {
    // Date.UTC reads years 0-99 as 1900-1999.
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second, 0);
    ms = date.getTime();
  }
  const exact = ms * 1000 + micros;
  // Microseconds stay exact in a double until about the year 2255.
  return Number.isSafeInteger(exact) ? BigInt(exact) : BigInt(ms) * 1000n + BigInt(micros);
}

/** The decimal number of `length` digits at `from` (the caller has checked they are digits). */
function digits(text: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

export function fromEpochMicros(micros: bigint): UtcTime {
  const clamped = micros > MAX_MICROS ? MAX_MICROS : micros < MIN_MICROS ? MIN_MICROS : micros;
  let ms = clamped / 1000n;
  let rest = clamped % 1000n;
  if (rest < 0n) {
    rest += 1000n;
    ms -= 1n;
  }
  const d = new Date(Number(ms));
  return fromParts(
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds() * 1000 + Number(rest),
  );
}

export function fromDate(date: Date): UtcTime {
  return fromEpochMicros(BigInt(date.getTime()) * 1000n);
}

export function toDate(t: UtcTime): Date {
  return new Date(Number(toEpochMicros(t) / 1000n));
}

/** Adds whole days, saturating at FOREVER as Python would refuse to go past year 9999. */
export function addDays(t: UtcTime, days: number): UtcTime {
  return fromEpochMicros(toEpochMicros(t) + BigInt(days) * MICROS_PER_DAY);
}

export function addSeconds(t: UtcTime, seconds: number): UtcTime {
  return fromEpochMicros(toEpochMicros(t) + BigInt(Math.round(seconds * 1e6)));
}

/** True when `end - start` is strictly longer than `days` days. */
export function longerThanDays(start: UtcTime, end: UtcTime, days: number): boolean {
  return toEpochMicros(end) - toEpochMicros(start) > BigInt(days) * MICROS_PER_DAY;
}

export function minTime(a: UtcTime, b: UtcTime): UtcTime {
  return a <= b ? a : b;
}

export function maxTime(a: UtcTime, b: UtcTime): UtcTime {
  return a >= b ? a : b;
}

/** Python `datetime.isoformat()` of a naive value: fraction only when non-zero. */
export function toIso(t: UtcTime): string {
  // Canonical form: the date is [0, 10), the time from 11, its fraction from 19.
  return `${t.slice(0, 10)}T${t.endsWith('.000000') ? t.slice(11, 19) : t.slice(11)}`;
}

/** Python `str(datetime)`, used inside faultstrings: space separator, fraction only when non-zero. */
export function toPyStr(t: UtcTime): string {
  return t.endsWith('.000000') ? t.slice(0, 19) : t;
}

/** Renders a message argument the way Python's `%s` would. */
export function formatPyStr(value: unknown): string {
  if (isUtcTime(value)) return toPyStr(value);
  if (value instanceof Date) return toPyStr(fromDate(value));
  return String(value);
}

/** Epoch seconds (console token expiry is stored as integer seconds, UTC). */
export function toEpochSeconds(t: UtcTime): number {
  return Number(toEpochMicros(t) / 1_000_000n);
}

/** Reads a DATETIME value as returned by better-sqlite3 (text) or mysql2 (`dateStrings`). */
export function fromDb(value: unknown): UtcTime | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return fromDate(value);
  // What both databases return for our columns: already canonical (the cheap, common case).
  if (typeof value === 'string' && CANONICAL_ONLY.test(value)) return value as UtcTime;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?/.exec(String(value));
  if (!m) throw new TypeError(`unreadable datetime from the database: ${String(value)}`);
  const frac = (m[7] ?? '').padEnd(6, '0').slice(0, 6);
  return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}.${frac}` as UtcTime;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function validDate(y: number, mo: number, d: number): boolean {
  if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1) return false;
  const days = new Date(Date.UTC(2000, mo, 0)).getUTCDate();
  const leap = mo === 2 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
  return d <= (leap ? 28 : days);
}

function build(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  frac: string | undefined,
  offsetMinutes: number,
): UtcTime | null {
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return null;
  const micros = Number((frac ?? '').padEnd(6, '0').slice(0, 6));
  const local = fromParts(y, mo, d, h, mi, s, micros);
  if (offsetMinutes === 0) return local;
  const shifted = toEpochMicros(local) - BigInt(offsetMinutes) * 60_000_000n;
  if (shifted > MAX_MICROS || shifted < MIN_MICROS) return null;
  return fromEpochMicros(shifted);
}

function parseOffset(zone: string | undefined): number | null {
  if (!zone || zone === 'Z' || zone === 'z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return null;
  const minutes = +m[2] * 60 + +(m[3] ?? 0);
  if (+m[2] > 23 || +(m[3] ?? 0) > 59) return null;
  return m[1] === '-' ? -minutes : minutes;
}

/**
 * Lenient datetime input for query parameters and JSON bodies (what upstream's parser accepts): ISO forms with
 * `T` or space, optional seconds and fraction (kept to microseconds), date only, optional
 * `Z`/`±HH:MM`/`±HHMM`, and `Mon DD YYYY`. Offsets are converted to UTC, not dropped.
 * Returns null when the text is not a datetime.
 */
export function parseApiDatetime(raw: string): UtcTime | null {
  const text = raw.trim();
  let m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/.exec(
      text,
    );
  if (m) {
    const offset = parseOffset(m[8]);
    if (offset === null) return null;
    return build(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], offset);
  }
  m = /^([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})$/.exec(text);
  if (m) {
    const month = MONTHS.indexOf(m[1].toLowerCase()) + 1;
    if (month === 0) return null;
    return build(+m[3], month, +m[2], 0, 0, 0, undefined, 0);
  }
  return null;
}

/** `PATCH /v1/leases/{id}` accepts exactly `%Y-%m-%dT%H:%M:%S` (upstream's `strptime` format). */
export function parseStrictPatchTime(raw: string): UtcTime | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(raw);
  if (!m) return null;
  return build(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6], undefined, 0);
}

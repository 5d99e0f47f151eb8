/**
 * How a constraint reads one property value: as a number (with an optional size suffix), as
 * text, or not at all, and how it finds the value in a node's nested properties.
 */

/**
 * Size suffixes, matched without regard to case. `KB`/`MB`/`GB`/`TB` are decimal (powers of
 * 1000) and only the `i` forms are binary (powers of 1024), as IEC 80000-13 defines them.
 * Reading `GB` as 1000³ errs towards including nodes where it matters: `memory>=16GB` still
 * admits a 16 GiB node (16 GiB > 16 GB), while `disk>=960GB` would exclude a drive sold as
 * 960 GB if GB were 1024³. Anyone who means the binary unit has `GiB` to say so.
 */
const SIZE_MULTIPLIERS: Readonly<Record<string, number>> = {
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * A decimal number as people and Ironic write them (`16`, `-2.5`, `.5`, `1e3`), then an
 * optional size suffix. Hex, `Infinity`, `NaN` and digit separators stay text on purpose:
 * `Number()` would accept some of them and turn a product code such as `0x10` into 16.
 */
const MAGNITUDE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(?:\s*([kKmMgGtT][iI]?[bB]))?$/;

/** The numeric reading of a text, suffix applied, or null when it is not a number. */
export function parseMagnitude(text: string): number | null {
  const m = MAGNITUDE.exec(text.trim());
  if (!m) return null;
  const base = Number(m[1]);
  return m[2] ? base * SIZE_MULTIPLIERS[m[2].toLowerCase()] : base;
}

/** A property value read as a number: JSON numbers as they are, strings when they parse. */
export function propertyMagnitude(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return parseMagnitude(value);
  return null;
}

/**
 * A property value read as text. Booleans read as their JSON spelling so `cpu_vt==true` holds
 * for `true` and for Ironic's capability string `"true"` alike. Objects, arrays and null have
 * no text: a comparison against them never holds.
 */
export function propertyText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/**
 * Orders two strings by Unicode code point. JavaScript's `<` compares UTF-16 code units, which
 * puts U+10000 and above before U+E000–U+FFFF; code-point order is what Python (the CLI's
 * filter) and MySQL's utf8mb4_bin use, so the same constraint keeps the same nodes everywhere.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Units outside the surrogate range are code points already.
    if (!isSurrogate(x) && !isSurrogate(y)) return x - y;
    return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

function isSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdfff;
}

/**
 * Ironic keeps node capabilities as one string, `"boot_mode:uefi,cpu_vt:true"`. Ironic itself
 * rejects entries without exactly one `:`; here an unreadable entry is just skipped, because a
 * filter over many nodes should not fail on one node's odd data.
 */
export function parseCapabilities(text: string): Record<string, string> {
  const capabilities: Record<string, string> = {};
  for (const entry of text.split(',')) {
    const colon = entry.indexOf(':');
    if (colon <= 0) continue;
    capabilities[entry.slice(0, colon).trim()] = entry.slice(colon + 1).trim();
  }
  return capabilities;
}

const CAPABILITIES_KEY = 'capabilities';

/**
 * Finds the value a constraint's key names. The whole remaining key is tried as a literal
 * property first, so properties whose names contain dots (set with `offer create --property`)
 * stay reachable; otherwise the first segment is followed into the nested object. A string
 * under `capabilities` is read as Ironic's capability list when the path goes below it.
 * Returns undefined when nothing is there; a JSON null counts as nothing.
 */
export function lookupProperty(properties: unknown, path: readonly string[]): unknown {
  let current: unknown = properties;
  let parentKey: string | undefined;
  for (let i = 0; i < path.length;) {
    if (typeof current === 'string' && parentKey === CAPABILITIES_KEY) current = parseCapabilities(current);
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    const record = current as Record<string, unknown>;
    const rest = i === path.length - 1 ? path[i] : path.slice(i).join('.');
    if (i < path.length - 1 && Object.hasOwn(record, rest)) return record[rest] ?? undefined;
    if (!Object.hasOwn(record, path[i])) return undefined;
    parentKey = path[i];
    current = record[path[i]];
    i++;
  }
  return current ?? undefined;
}

import { ClientError } from '../errors/esi-leap.exceptions';
import { parseApiDatetime, UtcTime } from '../time';

export type QueryParamType = 'string' | 'strings' | 'datetime' | 'int';

type ParsedValue<T extends QueryParamType> = T extends 'datetime'
  ? UtcTime
  : T extends 'int'
    ? number
    : T extends 'strings'
      ? string[]
      : string;

export type ParsedQuery<S extends Record<string, QueryParamType>> = {
  [K in keyof S]?: ParsedValue<S[K]>;
};

/**
 * Validates a query string against an endpoint's fixed parameter set, as WSME does: unknown
 * names are a 400, typed values are converted, an empty typed value counts as absent, and
 * strings are taken verbatim (an empty string is a value). A repeated parameter keeps its
 * last value, as upstream, except a `strings` one (ours: `constraint`), which keeps them all.
 */
export function parseQuery<S extends Record<string, QueryParamType>>(
  query: Record<string, unknown>,
  spec: S,
): ParsedQuery<S> {
  const unknown = Object.keys(query).filter((name) => !Object.prototype.hasOwnProperty.call(spec, name));
  if (unknown.length > 0) throw new ClientError(`Unknown argument: "${unknown.join(', ')}"`);

  const parsed: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(spec)) {
    if (type === 'strings') {
      if (query[name] !== undefined) parsed[name] = allValues(query[name]);
      continue;
    }
    const raw = lastValue(query[name]);
    if (raw === undefined) continue;
    if (type === 'string') {
      parsed[name] = raw;
    } else if (raw !== '') {
      parsed[name] = type === 'datetime' ? toDatetime(name, raw) : toInt(name, raw);
    }
  }
  return parsed as ParsedQuery<S>;
}

function allValues(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : String(v)));
}

function lastValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return lastValue(value[value.length - 1]);
  return typeof value === 'string' ? value : String(value);
}

function toDatetime(name: string, raw: string): UtcTime {
  const parsed = parseApiDatetime(raw);
  if (parsed === null) {
    throw new ClientError(
      `Invalid input for field/attribute ${name}. Value: '${raw}'. unable to convert to datetime. Error: Unknown string format: ${raw}`,
    );
  }
  return parsed;
}

function toInt(name: string, raw: string): number {
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ClientError(
      `Invalid input for field/attribute ${name}. Value: '${raw}'. unable to convert to int. Error: invalid literal for int() with base 10: '${raw}'`,
    );
  }
  return Number(text);
}

import { ClientError } from '../errors/esi-leap.exceptions';
import { parseApiDatetime, UtcTime } from '../time';
import { isJsonObject, JsonNumber, stringifyJson } from './lossless-json';
import { pyClass, pyRepr, pyStr, pyTypeName } from './python-repr';
import { characterCount, shownValue } from './stored-widths';

/** W = writable, R = read-only (400 if sent), I = accepted and ignored (upstream's attribute tables). */
export type AttributeAccess = 'W' | 'R' | 'I';
/**
 * `string_list` (a JSON list of strings), `integer` and `boolean`: attributes of our own
 * endpoints; upstream has none.
 */
export type AttributeType = 'string' | 'object' | 'datetime' | 'string_list' | 'integer' | 'boolean';

export interface AttributeSpec {
  readonly name: string;
  readonly access: AttributeAccess;
  readonly type: AttributeType;
  readonly mandatory?: boolean;
  /**
   * The most a writable value may hold, the width of the column it is stored in: characters
   * for a string (each item of a string list), bytes of its stored JSON text for an object
   * (STORED_WIDTHS).
   */
  readonly maxLength?: number;
}

type AttributeValue = string | UtcTime | Record<string, unknown> | readonly string[] | number | boolean;
export type ValidatedBody = Record<string, AttributeValue | undefined>;

type ValueOf<T extends AttributeType> = T extends 'datetime'
  ? UtcTime
  : T extends 'object'
    ? Record<string, unknown>
    : T extends 'string_list'
      ? readonly string[]
      : T extends 'integer'
        ? number
        : T extends 'boolean'
          ? boolean
          : string;
type Writable<A extends readonly AttributeSpec[]> = Extract<A[number], { access: 'W' }>;

/** The body `validateBody` returns for an attribute table: its writable attributes, mandatory ones required. */
export type BodyOf<A extends readonly AttributeSpec[]> = {
  [S in Writable<A> as S extends { mandatory: true } ? S['name'] : never]: ValueOf<S['type']>;
} & {
  [S in Writable<A> as S extends { mandatory: true } ? never : S['name']]?: ValueOf<S['type']>;
};

/** `validateBody`, typed by the attribute table (declared `as const`) it checks against. */
export function parseBody<const A extends readonly AttributeSpec[]>(
  body: unknown,
  argname: string,
  attributes: A,
): BodyOf<A> {
  // validateBody returns exactly the writable attributes given, each of its declared type.
  return validateBody(body, argname, attributes) as BodyOf<A>;
}

export function missingArgument(argname: string): ClientError {
  return new ClientError(`Missing argument: "${argname}"`);
}

/**
 * WSME-style validation of a resource body, in upstream's order: unknown
 * attributes, read-only attributes (first in attribute order), types, mandatory ones.
 * Returns only the writable attributes that were given; `null` counts as not given
 * (docs/decisions.md, "Leasing rules"). Ignored attributes are dropped.
 */
export function validateBody(body: unknown, argname: string, attributes: readonly AttributeSpec[]): ValidatedBody {
  if (body === undefined) throw missingArgument(argname);
  if (!isJsonObject(body)) {
    throw new ClientError(
      `Invalid input for field/attribute ${argname}. Value: '${pyRepr(body)}'. Value not a valid dict: ${pyTypeName(body)}`,
    );
  }
  const input = body as Record<string, unknown>;
  const known = new Set(attributes.map((a) => a.name));
  const unknown = Object.keys(input).filter((k) => !known.has(k));
  if (unknown.length === 1) throw new ClientError(`Unknown attribute for argument ${argname}: ${unknown[0]}`);
  if (unknown.length > 1) throw new ClientError(`Unknown attributes for argument ${argname}: ${unknown.join(', ')}`);

  for (const attr of attributes) {
    if (attr.access === 'R' && attr.name in input) {
      throw new ClientError(
        `Invalid input for field/attribute ${attr.name}. Value: '${pyStr(input[attr.name])}'. Cannot set read only field.`,
      );
    }
  }

  const result: ValidatedBody = {};
  for (const attr of attributes) {
    const value = input[attr.name];
    if (value === null || value === undefined) {
      if (attr.mandatory) {
        throw new ClientError(
          `Invalid input for field/attribute ${attr.name}. Value: 'None'. Mandatory field missing.`,
        );
      }
      continue;
    }
    const checked = checkType(attr, value, argname, input);
    if (attr.access !== 'W') continue;
    if (attr.maxLength !== undefined) checkWidth(attr.name, checked, attr.maxLength);
    result[attr.name] = checked;
  }
  return result;
}

function checkType(attr: AttributeSpec, value: unknown, argname: string, body: Record<string, unknown>): AttributeValue {
  if (attr.type === 'integer') {
    // A JsonNumber is an integer too long for a double: refused as out of range by the caller's bounds.
    const number = value instanceof JsonNumber && value.isInteger ? Number(value.text) : value;
    if (typeof number === 'number' && Number.isInteger(number)) return number;
    throw new ClientError(
      `Invalid input for field/attribute ${attr.name}. Value: '${pyStr(value)}'. Wrong type. Expected '<class 'int'>', got '${pyClass(value)}'`,
    );
  }
  if (attr.type === 'boolean') {
    if (typeof value === 'boolean') return value;
    throw new ClientError(
      `Invalid input for field/attribute ${attr.name}. Value: '${pyStr(value)}'. Wrong type. Expected '<class 'bool'>', got '${pyClass(value)}'`,
    );
  }
  if (attr.type === 'string_list') {
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
    throw new ClientError(
      `Invalid input for field/attribute ${attr.name}. Value: '${pyStr(value)}'. Wrong type. Expected a list of strings, got '${pyClass(value)}'`,
    );
  }
  if (attr.type === 'object') {
    if (!isJsonObject(value)) {
      throw new ClientError(
        `Invalid input for field/attribute ${argname}. Value: '${pyRepr(body)}'. Value not a valid dict: ${pyTypeName(value)}`,
      );
    }
    return value;
  }
  if (typeof value !== 'string') {
    if (attr.type === 'datetime') {
      throw new ClientError(
        `Invalid input for field/attribute ${argname}. Value: '${pyRepr(body)}'. Parser must be a string or character stream, not ${pyTypeName(value)}`,
      );
    }
    throw new ClientError(
      `Invalid input for field/attribute ${attr.name}. Value: '${pyStr(value)}'. Wrong type. Expected '<class 'str'>', got '${pyClass(value)}'`,
    );
  }
  if (attr.type === 'datetime') {
    const parsed = parseApiDatetime(value);
    if (parsed === null) {
      throw new ClientError(
        `Invalid input for field/attribute ${argname}. Value: '${pyRepr(body)}'. Unknown string format: ${value}`,
      );
    }
    return parsed;
  }
  return value;
}

/**
 * A writable value against the width of its column, so that no database refuses (MariaDB) or
 * silently keeps (SQLite) a value the other would not. Strings in WSME's words for a too-long
 * string; objects by the bytes of the JSON text that is stored.
 */
function checkWidth(name: string, value: AttributeValue, maxLength: number): void {
  if (Array.isArray(value)) {
    for (const item of value as readonly string[]) checkWidth(name, item, maxLength);
    return;
  }
  if (typeof value === 'string') {
    if (characterCount(value) <= maxLength) return;
    throw new ClientError(
      `Invalid input for field/attribute ${name}. Value: '${shownValue(value)}'. Value should have a maximum character requirement of ${maxLength}`,
    );
  }
  if (typeof value !== 'object') return;
  const bytes = Buffer.byteLength(stringifyJson(value));
  if (bytes <= maxLength) return;
  throw new ClientError(
    `Invalid input for field/attribute ${name}. Value is ${bytes} bytes as stored JSON text. Value should have a maximum size of ${maxLength} bytes`,
  );
}

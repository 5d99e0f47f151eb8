/**
 * Option definitions and their value types, following oslo.config's types (`oslo_config/types.py`):
 * the same names, the same accepted spellings, the same "unset" rules. Each builder returns a
 * definition whose `default` carries the TypeScript value type, so `EsiLeapConfig` can be derived
 * from the option table instead of being written out twice.
 */
import { isIP } from 'node:net';

export type OptionKind = 'str' | 'int' | 'float' | 'bool' | 'port' | 'host' | 'uri' | 'list' | 'multistr';

/** What a computed default may depend on (oslo computes these at import time; we at load time). */
export interface DefaultContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly hostname: string;
  readonly programName: string;
}

export type DefaultValue<V> = V | ((ctx: DefaultContext) => V);

/** An older spelling still honoured, as oslo's `deprecated_name`/`deprecated_group`/`DeprecatedOpt`. */
export interface DeprecatedName {
  /** Defaults to the option's own section. */
  readonly section?: string;
  readonly name: string;
}

export interface ItemFormat {
  readonly pattern: RegExp;
  /** Plural noun phrase for messages: "expected a comma-separated list of <description>". */
  readonly description: string;
}

interface OptionShape<V> {
  readonly kind: OptionKind;
  readonly help: string;
  readonly default: DefaultValue<V>;
  /** Shown in the sample and the docs instead of a machine-dependent default. */
  readonly sampleDefault?: string;
  readonly choices?: readonly string[];
  readonly ignoreCase?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly items?: 'str' | 'int';
  readonly itemFormat?: ItemFormat;
  readonly schemes?: readonly string[];
  /** Never echoed in error messages, logs or docs. */
  readonly secret?: boolean;
  readonly deprecatedNames?: readonly DeprecatedName[];
  /** Reason text; the option still works but is slated for removal upstream. */
  readonly deprecatedForRemoval?: string;
}

/** A builder's result before `fromNamespace` records which library the option comes from. */
export type UnplacedOption<V> = OptionShape<V>;

export interface OptionDef<V> extends OptionShape<V> {
  /** The library that defines the option upstream ("oslo.db", ...), or `esi-leap-ts` for ours. */
  readonly origin: string;
}

export type OptionValue<D> = D extends OptionShape<infer V> ? V : never;

export const ADDITION_ORIGIN = 'esi-leap-ts';
export const ADDITION_NOTE = 'esi-leap-ts addition.';

/** Stamps the origin on a group of options; options of our own get the marker in their help. */
export function fromNamespace<T extends Record<string, UnplacedOption<unknown>>>(
  origin: string,
  options: T,
): { readonly [K in keyof T]: OptionDef<OptionValue<T[K]>> } {
  const placed: Record<string, OptionDef<unknown>> = {};
  for (const [name, option] of Object.entries(options)) {
    const help = origin === ADDITION_ORIGIN ? `${ADDITION_NOTE} ${option.help}` : option.help;
    placed[name] = { ...option, help, origin };
  }
  return placed as { readonly [K in keyof T]: OptionDef<OptionValue<T[K]>> };
}

interface Extras {
  readonly secret?: boolean;
  readonly deprecatedNames?: readonly DeprecatedName[];
  readonly deprecatedForRemoval?: string;
  readonly sampleDefault?: string;
}
interface StrExtras extends Extras {
  readonly choices?: readonly string[];
  readonly ignoreCase?: boolean;
}
interface NumberExtras extends Extras {
  readonly min?: number;
  readonly max?: number;
}
interface ListExtras extends Extras {
  readonly itemFormat?: ItemFormat;
}

export function strOpt(
  help: string,
  extras: StrExtras & { readonly default: DefaultValue<string> },
): UnplacedOption<string>;
export function strOpt(
  help: string,
  extras?: StrExtras & { readonly default?: DefaultValue<string | null> },
): UnplacedOption<string | null>;
export function strOpt(
  help: string,
  extras: StrExtras & { readonly default?: DefaultValue<string | null> } = {},
): UnplacedOption<unknown> {
  return { kind: 'str', help, ...extras, default: extras.default ?? null };
}

/** A case-sensitive choice: the value type is the union of the choices. */
export function choiceOpt<const C extends string>(
  help: string,
  choices: readonly C[],
  defaultValue: C,
  extras: Extras = {},
): UnplacedOption<C> {
  return { kind: 'str', help, choices, ...extras, default: defaultValue };
}

export function intOpt(help: string, extras: NumberExtras & { readonly default: number }): UnplacedOption<number>;
export function intOpt(help: string, extras?: NumberExtras): UnplacedOption<number | null>;
export function intOpt(
  help: string,
  extras: NumberExtras & { readonly default?: number } = {},
): UnplacedOption<unknown> {
  return { kind: 'int', help, ...extras, default: extras.default ?? null };
}

export function floatOpt(help: string, extras: NumberExtras & { readonly default: number }): UnplacedOption<number>;
export function floatOpt(help: string, extras?: NumberExtras): UnplacedOption<number | null>;
export function floatOpt(
  help: string,
  extras: NumberExtras & { readonly default?: number } = {},
): UnplacedOption<unknown> {
  return { kind: 'float', help, ...extras, default: extras.default ?? null };
}

export function portOpt(help: string, defaultValue: number, extras: Extras = {}): UnplacedOption<number> {
  return { kind: 'port', help, min: 0, max: 65535, ...extras, default: defaultValue };
}

export function boolOpt(help: string, defaultValue: boolean, extras: Extras = {}): UnplacedOption<boolean> {
  return { kind: 'bool', help, ...extras, default: defaultValue };
}

/** oslo's HostAddressOpt: an IPv4/IPv6 address or a host name. */
export function hostOpt(help: string, defaultValue: string, extras: Extras = {}): UnplacedOption<string> {
  return { kind: 'host', help, ...extras, default: defaultValue };
}

export function uriOpt(help: string, schemes: readonly string[], extras: Extras = {}): UnplacedOption<string | null> {
  return { kind: 'uri', help, schemes, ...extras, default: null };
}

/** oslo's ListOpt: comma-separated; unlike oslo, empty items are dropped (`a,,b` is `[a, b]`). */
export function listOpt(
  help: string,
  extras: ListExtras & { readonly default: readonly string[] },
): UnplacedOption<readonly string[]>;
export function listOpt(help: string, extras?: ListExtras): UnplacedOption<readonly string[] | null>;
export function listOpt(
  help: string,
  extras: ListExtras & { readonly default?: readonly string[] } = {},
): UnplacedOption<unknown> {
  return { kind: 'list', help, items: 'str', ...extras, default: extras.default ?? null };
}

export function intListOpt(help: string, extras: Extras = {}): UnplacedOption<readonly number[] | null> {
  return { kind: 'list', help, items: 'int', ...extras, default: null };
}

/** oslo's MultiStrOpt: one item per occurrence of the key, across all files, in file order. */
export function multiStrOpt(
  help: string,
  defaultValue: readonly string[],
  extras: Extras = {},
): UnplacedOption<readonly string[]> {
  return { kind: 'multistr', help, ...extras, default: defaultValue };
}

export class InvalidOptionValue extends Error {
  constructor(
    readonly raw: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'InvalidOptionValue';
  }
}

/** Returned for an empty number: oslo treats it as "not set", so the default applies. */
export const UNSET: unique symbol = Symbol('unset');

const TRUE_WORDS = new Set(['true', '1', 'on', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'off', 'no']);
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/**
 * Converts the raw text(s) found for an option. `raws` holds every occurrence in precedence
 * order; multi-valued options take all of them, the others the last.
 */
export function parseOptionValue(def: OptionShape<unknown>, raws: readonly string[]): unknown {
  if (def.kind === 'multistr') return raws.map((raw) => parseString(def, raw));
  return parseSingle(def, raws[raws.length - 1]);
}

function parseSingle(def: OptionShape<unknown>, raw: string): unknown {
  switch (def.kind) {
    case 'str':
    case 'multistr':
      return parseString(def, raw);
    case 'bool':
      return parseBool(def, raw);
    case 'int':
    case 'port':
      return parseNumber(def, raw, INTEGER);
    case 'float':
      return parseNumber(def, raw, DECIMAL);
    case 'host':
      return parseHost(def, raw);
    case 'uri':
      return parseUri(def, raw);
    case 'list':
      return parseList(def, raw);
  }
}

function invalid(def: OptionShape<unknown>, raw: string): never {
  throw new InvalidOptionValue(raw, `expected ${describeExpected(def)}`);
}

function parseString(def: OptionShape<unknown>, raw: string): string {
  if (def.choices === undefined) return raw;
  const matches = def.ignoreCase
    ? def.choices.some((choice) => choice.toLowerCase() === raw.toLowerCase())
    : def.choices.includes(raw);
  return matches ? raw : invalid(def, raw);
}

function parseBool(def: OptionShape<unknown>, raw: string): boolean {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return invalid(def, raw);
}

function parseNumber(def: OptionShape<unknown>, raw: string, syntax: RegExp): number | typeof UNSET {
  const text = raw.trim();
  if (text === '') return UNSET;
  if (!syntax.test(text)) invalid(def, raw);
  const value = Number(text);
  if (!Number.isFinite(value) || (syntax === INTEGER && !Number.isSafeInteger(value))) invalid(def, raw);
  if ((def.min !== undefined && value < def.min) || (def.max !== undefined && value > def.max)) invalid(def, raw);
  return value;
}

function parseHost(def: OptionShape<unknown>, raw: string): string {
  const text = raw.trim();
  return isIP(text) !== 0 || isHostName(text) ? text : invalid(def, raw);
}

/** oslo.config's Hostname type: RFC 1123 labels, at most 253 characters, not all-numeric at the end. */
function isHostName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name === '' || name.length > 253) return false;
  const labels = name.split('.');
  return labels.every((label) => HOST_LABEL.test(label)) && !/^\d+$/.test(labels[labels.length - 1]);
}

function parseUri(def: OptionShape<unknown>, raw: string): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid(def, raw);
  }
  const scheme = url.protocol.slice(0, -1);
  return def.schemes === undefined || def.schemes.includes(scheme) ? text : invalid(def, raw);
}

function parseList(def: OptionShape<unknown>, raw: string): readonly string[] | readonly number[] {
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (def.items === 'int') {
    if (!items.every((item) => INTEGER.test(item))) invalid(def, raw);
    return items.map(Number);
  }
  if (def.itemFormat !== undefined && !items.every((item) => def.itemFormat?.pattern.test(item))) invalid(def, raw);
  return items;
}

/** The noun phrase after "expected" in error messages, e.g. "an integer between 0 and 65535". */
export function describeExpected(def: OptionShape<unknown>): string {
  switch (def.kind) {
    case 'int':
    case 'port':
      return `an integer${describeRange(def)}`;
    case 'float':
      return `a number${describeRange(def)}`;
    case 'bool':
      return 'a boolean (true/false, yes/no, on/off, 1/0)';
    case 'host':
      return 'an IP address or a host name';
    case 'uri':
      return def.schemes === undefined ? 'a URL' : `a ${def.schemes.map((s) => `${s}://`).join(' or ')} URL`;
    case 'list':
      if (def.items === 'int') return 'a comma-separated list of integers';
      if (def.itemFormat !== undefined) return `a comma-separated list of ${def.itemFormat.description}`;
      return 'a comma-separated list';
    case 'str':
    case 'multistr':
      if (def.choices === undefined) return 'a string';
      return `one of: ${def.choices.map((c) => (c === '' ? "''" : c)).join(', ')}${def.ignoreCase ? ' (any case)' : ''}`;
  }
}

function describeRange(def: OptionShape<unknown>): string {
  if (def.min !== undefined && def.max !== undefined) return ` between ${def.min} and ${def.max}`;
  if (def.min !== undefined) return ` >= ${def.min}`;
  if (def.max !== undefined) return ` <= ${def.max}`;
  return '';
}

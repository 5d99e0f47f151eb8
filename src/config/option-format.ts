/** How an option's type and default are shown in the sample file and the reference docs. */
import { OptionDef } from './option-types';

const TYPE_NAMES: Record<OptionDef<unknown>['kind'], string> = {
  str: 'string value',
  int: 'integer value',
  float: 'floating point value',
  bool: 'boolean value',
  port: 'port value',
  host: 'host address value',
  uri: 'uri value',
  list: 'list value',
  multistr: 'multi valued',
};

/** oslo-config-generator's type name, e.g. "integer value". */
export function typeName(def: OptionDef<unknown>): string {
  return TYPE_NAMES[def.kind];
}

/**
 * The default as oslo-config-generator writes it: one entry per line of `#name = value`
 * (several for a multi-valued option), `<None>` when unset, booleans in lower case.
 */
export function formatDefaults(def: OptionDef<unknown>): string[] {
  if (def.sampleDefault !== undefined) return [def.sampleDefault];
  const value = def.default;
  if (typeof value === 'function') throw new Error('an option with a computed default needs a sampleDefault');
  if (def.kind === 'multistr') {
    const items = value as readonly string[];
    return items.length === 0 ? [''] : items.map(quoteIfPadded);
  }
  if (value === null) return ['<None>'];
  if (Array.isArray(value)) return [value.join(',')];
  if (typeof value === 'number' && def.kind === 'float' && Number.isInteger(value)) return [value.toFixed(1)];
  return [quoteIfPadded(String(value))];
}

function quoteIfPadded(text: string): string {
  return text.trim() === text ? text : `"${text}"`;
}

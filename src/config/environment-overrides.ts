/**
 * Options set through environment variables: oslo.config's own `OS_<SECTION>__<OPTION>` (exact
 * upper case) first, so an environment prepared for the Python service keeps working, then ours,
 * `ESI_LEAP__<SECTION>__<OPTION>` (any case after the prefix), which win. Only ours are checked for
 * typos: `OS_*` names are shared with other OpenStack tools.
 */
import type { OptionAt } from './config-layers';
import { OptionDef } from './option-types';
import { OPTION_LIST, OPTIONS, SectionName } from './options';

const PREFIX = 'ESI_LEAP__';

export interface EnvironmentAssignment {
  readonly option: OptionAt;
  readonly variable: string;
  readonly raw: string;
}

/** The assignments in the order to apply them, and warnings about `ESI_LEAP__` names of no option. */
export function environmentOverrides(env: Readonly<Record<string, string | undefined>>): {
  assignments: EnvironmentAssignment[];
  warnings: string[];
} {
  const assignments: EnvironmentAssignment[] = [];
  for (const option of OPTION_LIST) {
    const variable = `OS_${option.section.toUpperCase()}__${option.name.toUpperCase()}`;
    const raw = env[variable];
    if (raw !== undefined) assignments.push({ option, variable, raw });
  }
  const warnings: string[] = [];
  for (const variable of Object.keys(env).sort()) {
    const raw = env[variable];
    if (!variable.startsWith(PREFIX) || raw === undefined) continue;
    const option = optionNamedBy(variable);
    if (option === undefined) warnings.push(`unknown environment variable ${variable} ignored`);
    else assignments.push({ option, variable, raw });
  }
  return { assignments, warnings };
}

function optionNamedBy(variable: string): OptionAt | undefined {
  const parts = variable.slice(PREFIX.length).split('__');
  if (parts.length !== 2) return undefined;
  const [sectionPart, namePart] = parts.map((part) => part.toLowerCase());
  const section = (Object.keys(OPTIONS) as SectionName[]).find((s) => s.toLowerCase() === sectionPart);
  if (section === undefined) return undefined;
  const options = OPTIONS[section] as Record<string, OptionDef<unknown>>;
  const name = Object.keys(options).find((n) => n.toLowerCase() === namePart);
  return name === undefined ? undefined : { section, name, def: options[name] };
}

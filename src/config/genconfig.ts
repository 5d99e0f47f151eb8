/**
 * Renders the commented sample `esi-leap.conf` from the option table, in oslo-config-generator's
 * layout (wrap width 80, as upstream's generator config), so the sample cannot drift from the code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { hasNoEffect, NO_EFFECT_MARK } from './no-effect-options';
import { formatDefaults, typeName } from './option-format';
import { OptionDef } from './option-types';
import { OPTION_LIST, PlacedOption } from './options';

const WRAP_WIDTH = 80;

export function renderSampleConfig(): string {
  const sections = new Map<string, PlacedOption[]>();
  for (const option of OPTION_LIST) {
    if (!sections.has(option.section)) sections.set(option.section, []);
    sections.get(option.section)?.push(option);
  }
  return [...sections].map(([section, options]) => renderSection(section, options)).join('\n\n');
}

export function writeSampleConfig(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, renderSampleConfig());
}

function renderSection(section: string, options: readonly PlacedOption[]): string {
  const origins = [...new Set(options.map((option) => option.def.origin))].sort();
  let text = `[${section}]\n`;
  for (const origin of origins) {
    text += `\n#\n# From ${origin}\n#\n`;
    for (const option of options.filter((o) => o.def.origin === origin)) {
      text += `\n${renderOption(option.section, option.name, option.def)}`;
    }
  }
  return text;
}

function renderOption(section: string, name: string, def: OptionDef<unknown>): string {
  const prefix = def.deprecatedForRemoval !== undefined ? 'DEPRECATED: ' : '';
  const lines = wrapComment(`${prefix}${def.help} (${typeName(def)})`);
  if (hasNoEffect(section, name)) lines.push(`# ${NO_EFFECT_MARK}`);
  if (def.min !== undefined) lines.push(`# Minimum value: ${def.min}`);
  if (def.max !== undefined) lines.push(`# Maximum value: ${def.max}`);
  if (def.choices !== undefined) {
    lines.push('# Possible values:', ...def.choices.map((choice) => `# ${choice === '' ? "''" : choice}`));
  }
  for (const alias of def.deprecatedNames ?? []) {
    lines.push(`# Deprecated group/name - [${alias.section ?? section}]/${alias.name}`);
  }
  if (def.deprecatedForRemoval !== undefined) {
    lines.push('# This option is deprecated for removal.', '# Its value may be silently ignored in the future.');
    lines.push(...wrapComment(`Reason: ${def.deprecatedForRemoval}`));
  }
  if (def.sampleDefault !== undefined) {
    lines.push(
      '#',
      '# This option has a sample default set, which means that',
      '# its actual default value may vary from the one documented',
      '# below.',
    );
  }
  for (const value of formatDefaults(def)) lines.push(`#${name} =${value === '' ? '' : ` ${value}`}`);
  return `${lines.join('\n')}\n`;
}

/** Python's `textwrap.wrap(line, 80, initial_indent='# ', subsequent_indent='# ', break_long_words=False)`. */
function wrapComment(text: string): string[] {
  return text.split('\n').flatMap((paragraph) => {
    const words = paragraph.split(/\s+/).filter((word) => word !== '');
    if (words.length === 0) return ['#'];
    const lines: string[] = [];
    let current = `# ${words[0]}`;
    for (const word of words.slice(1)) {
      if (current.length + 1 + word.length <= WRAP_WIDTH) current += ` ${word}`;
      else {
        lines.push(current);
        current = `# ${word}`;
      }
    }
    lines.push(current);
    return lines;
  });
}

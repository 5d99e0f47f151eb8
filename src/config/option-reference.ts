/**
 * The option reference of docs/configuration.md, generated from the option table (a unit test
 * checks the document still contains exactly this text).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { hasNoEffect, NO_EFFECT_MARK } from './no-effect-options';
import { formatDefaults } from './option-format';
import { ADDITION_NOTE, ADDITION_ORIGIN, describeExpected, OptionDef } from './option-types';
import { OPTION_LIST, PlacedOption } from './options';

export const REFERENCE_BEGIN = '<!-- BEGIN GENERATED OPTION REFERENCE -->';
export const REFERENCE_END = '<!-- END GENERATED OPTION REFERENCE -->';

export function renderOptionReference(): string {
  const sections = [...new Set(OPTION_LIST.map((option) => option.section))];
  const parts = sections.map((section) => {
    const rows = OPTION_LIST.filter((option) => option.section === section).map(renderRow);
    return [`### [${section}]`, '', '| option | type | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
  });
  return [REFERENCE_BEGIN, renderAdditions(), ...parts, REFERENCE_END].join('\n\n');
}

/** The options upstream does not have, first, so they are easy to find. */
function renderAdditions(): string {
  const rows = OPTION_LIST.filter((option) => option.def.origin === ADDITION_ORIGIN).map(
    ({ section, name, def }) => `| \`[${section}] ${name}\` | ${cell(def.help.replace(`${ADDITION_NOTE} `, ''))} |`,
  );
  return ['### Options of our own', '', '| option | meaning |', '|---|---|', ...rows].join('\n');
}

/** Replaces the generated block of the document in place. */
export function updateOptionReference(docFile: string): void {
  const text = readFileSync(docFile, 'utf8');
  const start = text.indexOf(REFERENCE_BEGIN);
  const end = text.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`${docFile} has no generated option reference block`);
  writeFileSync(docFile, text.slice(0, start) + renderOptionReference() + text.slice(end + REFERENCE_END.length));
}

function renderRow({ section, name, def }: PlacedOption): string {
  const option = def.origin === ADDITION_ORIGIN ? `\`${name}\` **(new)**` : `\`${name}\``;
  return `| ${option} | ${cell(typeCell(def))} | ${cell(defaultCell(def))} | ${cell(meaningCell(section, name, def))} |`;
}

function typeCell(def: OptionDef<unknown>): string {
  const kind = def.kind === 'list' && def.items === 'int' ? 'list of int' : def.kind;
  const detail = describeExpected(def);
  const constrained = def.choices !== undefined || def.min !== undefined || def.max !== undefined || def.schemes;
  return `${kind}${constrained ? `: ${detail}` : ''}${def.secret ? ' (secret)' : ''}`;
}

function defaultCell(def: OptionDef<unknown>): string {
  const values = formatDefaults(def);
  if (values.length === 1 && values[0] === '<None>') return '*unset*';
  if (values.length === 1 && values[0] === '') return def.kind === 'str' ? "`''`" : '*empty*';
  return values.map((value) => `\`${value}\``).join(', ');
}

function meaningCell(section: string, name: string, def: OptionDef<unknown>): string {
  let text = hasNoEffect(section, name) ? `**${NO_EFFECT_MARK}** ${def.help}` : def.help;
  if (def.deprecatedNames?.length) {
    const aliases = def.deprecatedNames.map((alias) => `\`[${alias.section ?? section}] ${alias.name}\``);
    text += ` Also read from the deprecated ${aliases.join(', ')}.`;
  }
  if (def.deprecatedForRemoval !== undefined) text += ` Deprecated upstream: ${def.deprecatedForRemoval}`;
  return text;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

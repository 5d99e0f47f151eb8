/**
 * The parsed config files and oslo.config's rules for finding an option in them: section names
 * normalised, deprecated spellings honoured, the newest file winning, multi-valued options gathered
 * from every file. Also the warnings about what the files contain that no option reads.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error';
import { IniDocument, IniParseError, parseOsloIni } from './oslo-ini';
import { OptionDef } from './option-types';
import { OPTION_LIST } from './options';

/** One parsed file: normalised section -> key -> every occurrence. */
export interface FileLayer {
  readonly file: string;
  readonly sections: ReadonlyMap<string, ReadonlyMap<string, KeyOccurrences>>;
}

interface KeyOccurrences {
  readonly values: readonly string[];
  /** Line of the last occurrence, the one a single-valued option takes. */
  readonly line: number;
}

/** An option as looked up in the files: in its own section, or in the one `auth_section` names. */
export interface OptionAt {
  readonly section: string;
  readonly name: string;
  readonly def: OptionDef<unknown>;
}

export interface FoundValue {
  /** Every occurrence that applies, oldest first. */
  readonly raws: readonly string[];
  /** `file:line` of the occurrence that decided the value. */
  readonly source: string;
}

export function readConfigLayer(file: string): FileLayer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`, file);
  }
  let document: IniDocument;
  try {
    document = parseOsloIni(text, file);
  } catch (err) {
    if (err instanceof IniParseError) throw new ConfigError(err.message, `${err.file}:${err.lineNumber}`);
    throw err;
  }
  const sections = new Map<string, Map<string, KeyOccurrences>>();
  for (const header of document.sections) {
    if (!sections.has(normalizeSection(header))) sections.set(normalizeSection(header), new Map());
  }
  for (const entry of document.entries) {
    const keys = sections.get(normalizeSection(entry.section)) ?? new Map<string, KeyOccurrences>();
    const previous = keys.get(entry.key)?.values ?? [];
    keys.set(entry.key, { values: [...previous, entry.value], line: entry.line });
  }
  return { file, sections };
}

/** oslo.config matches section names case-insensitively, except that DEFAULT must be upper case. */
export function normalizeSection(name: string): string {
  return name === 'DEFAULT' ? name : name.toLowerCase();
}

/** The spellings an option may have in a file, current name first. */
export function optionSpellings(option: OptionAt): { section: string; name: string }[] {
  return [
    { section: option.section, name: option.name },
    ...(option.def.deprecatedNames ?? []).map((alias) => ({
      section: normalizeSection(alias.section ?? option.section),
      name: alias.name,
    })),
  ];
}

/**
 * As oslo's `_get_file_value`: the newest file that sets the option (under any of its names) wins;
 * a multi-valued option gathers its occurrences from every file, oldest first.
 */
export function findInFiles(layers: readonly FileLayer[], option: OptionAt): FoundValue | undefined {
  const spellings = optionSpellings(option);
  const hits = layers.flatMap((layer) => {
    for (const { section, name } of spellings) {
      const entry = layer.sections.get(section)?.get(name);
      if (entry !== undefined) return [{ raws: entry.values, source: `${layer.file}:${entry.line}` }];
    }
    return [];
  });
  if (hits.length === 0) return undefined;
  const newest = hits[hits.length - 1];
  return option.def.kind === 'multistr' ? { raws: hits.flatMap((hit) => hit.raws), source: newest.source } : newest;
}

/** section -> every key a file may use there (current names and deprecated spellings). */
const KNOWN_KEYS: ReadonlyMap<string, ReadonlySet<string>> = keysBySection(OPTION_LIST.flatMap(optionSpellings));

export function keysBySection(spellings: readonly { section: string; name: string }[]): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const { section, name } of spellings) {
    if (!keys.has(section)) keys.set(section, new Set());
    keys.get(section)?.add(name);
  }
  return keys;
}

/**
 * What the files set that no option reads, and which deprecated spellings they use. `alsoKnown`
 * adds keys read through `auth_section`.
 */
export function fileWarnings(
  layers: readonly FileLayer[],
  alsoKnown: ReadonlyMap<string, ReadonlySet<string>>,
): string[] {
  const unknown = layers.flatMap((layer) =>
    [...layer.sections].flatMap(([section, keys]) => {
      const known = KNOWN_KEYS.get(section);
      const borrowed = alsoKnown.get(section);
      if (known === undefined && borrowed === undefined) {
        return [`unknown section [${section}] in ${layer.file} ignored`];
      }
      return [...keys.keys()]
        .filter((key) => !known?.has(key) && !borrowed?.has(key))
        .map((key) => `unknown option [${section}] ${key} in ${layer.file} ignored`);
    }),
  );
  const deprecated = OPTION_LIST.flatMap((option) =>
    optionSpellings(option)
      .slice(1)
      .flatMap((alias) =>
        layers
          .filter((layer) => layer.sections.get(alias.section)?.has(alias.name))
          .map(
            (layer) =>
              `deprecated option [${alias.section}] ${alias.name} in ${layer.file}: ` +
              `use [${option.section}] ${option.name}`,
          ),
      ),
  );
  return [...unknown, ...deprecated];
}

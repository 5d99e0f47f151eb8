/**
 * Builds the one frozen configuration object at boot. Precedence, lowest first: option defaults
 * (embedded-mode defaults when no file is read), the config files in order, the config
 * directories' files, oslo.config's `OS_<SECTION>__<OPTION>` environment variables, then our
 * `ESI_LEAP__<SECTION>__<OPTION>` ones.
 *
 * Unknown sections and options are reported in `warnings` and ignored, as oslo.config ignores
 * them; a value that does not fit its option throws `ConfigError` naming section, option and reason.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from './config-error';
import { configFilesToRead } from './config-files';
import {
  fileWarnings,
  findInFiles,
  FileLayer,
  FoundValue,
  keysBySection,
  normalizeSection,
  OptionAt,
  optionSpellings,
  readConfigLayer,
} from './config-layers';
import { DefaultOverrides, embeddedDefaults } from './embedded-defaults';
import { environmentOverrides } from './environment-overrides';
import type { EsiLeapConfig } from './esi-leap-config';
import { noEffectWarning } from './no-effect-options';
import { keystoneauthAuthOptions } from './option-sets/keystoneauth';
import { DefaultContext, InvalidOptionValue, OptionDef, parseOptionValue, UNSET } from './option-types';
import { OPTION_LIST, OPTIONS, SectionName } from './options';

export { ConfigError } from './config-error';

export interface LoadConfigOptions {
  /** `--config-file`, repeatable; later files override earlier ones. Empty means "search". */
  readonly configFiles?: readonly string[];
  /** `--config-dir`, repeatable; their `*.conf` files are read after the config files. */
  readonly configDirs?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly homeDir?: string;
  /** Base of relative paths, and of the embedded-mode data directory. */
  readonly cwd?: string;
  /** Replaces `/etc` in the default search (for tests). */
  readonly etcDir?: string;
}

export interface LoadedConfig {
  readonly config: EsiLeapConfig;
  /** The files actually read, in the order they were applied. */
  readonly files: readonly string[];
  /** True when no file was read and the embedded development defaults apply. */
  readonly embedded: boolean;
  readonly warnings: readonly string[];
}

type SectionValues = Record<string, Record<string, unknown>>;

/** What a value falls back to: the option's default, or the embedded-mode one. */
interface Defaults {
  readonly overrides: DefaultOverrides;
  readonly context: DefaultContext;
}

/** Sections whose keystoneauth auth options may be kept in the section their `auth_section` names. */
const AUTH_SECTION_OWNERS: readonly SectionName[] = ['ironic', 'keystone', 'keystone_authtoken'];
const AUTH_OPTION_NAMES = Object.keys(keystoneauthAuthOptions).filter((name) => name !== 'auth_section');

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const homeDir = options.homeDir ?? os.homedir();
  const cwd = options.cwd ?? process.cwd();
  const files = configFilesToRead({
    configFiles: options.configFiles,
    configDirs: options.configDirs,
    homeDir,
    cwd,
    etcDir: options.etcDir ?? '/etc',
  });
  const layers = files.map(readConfigLayer);
  const embedded = files.length === 0;
  const defaults: Defaults = {
    overrides: embedded ? embeddedDefaults(cwd) : {},
    context: { env, hostname: os.hostname(), programName: programName() },
  };

  const sections: SectionValues = {};
  for (const option of OPTION_LIST) {
    (sections[option.section] ??= {})[option.name] = valueFromFiles(layers, option, option, defaults);
  }
  const borrowed = borrowAuthSections(layers, sections, defaults);
  const warnings = fileWarnings(layers, borrowed);

  const fromEnvironment = environmentOverrides(env);
  for (const { option, variable, raw } of fromEnvironment.assignments) {
    const value = convert(option, { raws: [raw], source: `environment variable ${variable}` });
    sections[option.section][option.name] = value === UNSET ? defaultValue(option, defaults) : value;
  }
  warnings.push(...fromEnvironment.warnings);
  const setButUnused = noEffectWarning([
    ...OPTION_LIST.filter((option) => findInFiles(layers, option) !== undefined),
    ...fromEnvironment.assignments.map(({ option }) => option),
  ]);
  if (setButUnused !== null) warnings.push(setButUnused);

  // oslo.log's `debug = true` means DEBUG whatever the level says.
  if (sections.DEFAULT.debug === true) sections.DEFAULT.log_level = 'debug';

  return deepFreeze({ config: sections as unknown as EsiLeapConfig, files, embedded, warnings });
}

/** The value the files give (looked up at `at`), else the default of `option`. */
function valueFromFiles(layers: readonly FileLayer[], option: OptionAt, at: OptionAt, defaults: Defaults): unknown {
  const found = findInFiles(layers, at);
  const value = found === undefined ? UNSET : convert(at, found);
  return value === UNSET ? defaultValue(option, defaults) : value;
}

/**
 * keystoneauth's `auth_section`: when `[ironic] auth_section = service_user`, the auth type and
 * credentials of [ironic] are read from [service_user] instead (what [ironic] itself says about
 * them is ignored, as keystoneauth ignores it). Returns the keys so read, by section.
 */
function borrowAuthSections(
  layers: readonly FileLayer[],
  sections: SectionValues,
  defaults: Defaults,
): Map<string, Set<string>> {
  const read: OptionAt[] = [];
  for (const owner of AUTH_SECTION_OWNERS) {
    const target = sections[owner].auth_section;
    if (typeof target !== 'string' || target.trim() === '') continue;
    const ownerOptions = OPTIONS[owner] as Record<string, OptionDef<unknown>>;
    for (const name of AUTH_OPTION_NAMES) {
      const option: OptionAt = { section: owner, name, def: ownerOptions[name] };
      const at: OptionAt = { ...option, section: normalizeSection(target.trim()) };
      sections[owner][name] = valueFromFiles(layers, option, at, defaults);
      read.push(at);
    }
  }
  return keysBySection(read.flatMap(optionSpellings));
}

function convert(option: OptionAt, found: FoundValue): unknown {
  try {
    return parseOptionValue(option.def, found.raws);
  } catch (err) {
    if (!(err instanceof InvalidOptionValue)) throw err;
    const shown = option.def.secret ? '****' : err.raw.replace(/\n/g, '\\n');
    throw new ConfigError(`[${option.section}] ${option.name}: invalid value '${shown}': ${err.reason}`, found.source);
  }
}

function defaultValue(option: OptionAt, { overrides, context }: Defaults): unknown {
  const override = (overrides[option.section as SectionName] as Record<string, unknown> | undefined)?.[option.name];
  if (override !== undefined) return override;
  const { default: value } = option.def;
  return typeof value === 'function' ? value(context) : value;
}

/** The program name oslo uses for defaults such as [oslo_messaging_rabbit] processname. */
function programName(): string {
  return path.basename(process.argv[1] ?? 'esi-leap').replace(/\.[cm]?[jt]s$/, '');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Which files make up the configuration, with oslo.config's rules (`cfg.find_config_files`,
 * `find_config_dirs`, `--config-file`, `--config-dir`):
 *
 * - files given explicitly are read in order and must exist;
 * - without any, the first existing of ~/.esi-leap/esi-leap.conf, ~/esi-leap.conf,
 *   /etc/esi-leap/esi-leap.conf, /etc/esi-leap.conf is read;
 * - then the `*.conf` files of each directory given (sorted by name), which must exist;
 * - without any, those of the first existing of the matching `esi-leap.conf.d` directories.
 *
 * As in oslo.config the two defaults are independent: `--config-file` alone still picks up a
 * default `esi-leap.conf.d`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './config-error';

const PROJECT = 'esi-leap';

export interface ConfigFileSearch {
  readonly configFiles?: readonly string[];
  readonly configDirs?: readonly string[];
  readonly homeDir: string;
  readonly cwd: string;
  /** `/etc`, replaceable so the whole search order can be tested. */
  readonly etcDir: string;
}

/** The files to read, in order: later ones override earlier ones. */
export function configFilesToRead(search: ConfigFileSearch): string[] {
  const files = search.configFiles?.length
    ? search.configFiles.map((file) => explicitFile(fixPath(file, search)))
    : optional(findDefault(search, '.conf'));
  const dirs = search.configDirs?.length
    ? search.configDirs.map((dir) => explicitDir(fixPath(dir, search)))
    : optional(findDefault(search, '.conf.d'));
  return [...files, ...dirs.flatMap(confFilesIn)];
}

function searchDirs(search: ConfigFileSearch): string[] {
  return [path.join(search.homeDir, `.${PROJECT}`), search.homeDir, path.join(search.etcDir, PROJECT), search.etcDir];
}

function findDefault(search: ConfigFileSearch, extension: string): string | undefined {
  return searchDirs(search)
    .map((dir) => path.join(dir, `${PROJECT}${extension}`))
    .find((candidate) => existsSync(candidate));
}

function optional(found: string | undefined): string[] {
  return found === undefined ? [] : [found];
}

/** oslo's `_fixpath`: expand `~`, make absolute. */
function fixPath(p: string, search: ConfigFileSearch): string {
  const expanded = p === '~' || p.startsWith('~/') ? path.join(search.homeDir, p.slice(1)) : p;
  return path.resolve(search.cwd, expanded);
}

function explicitFile(file: string): string {
  if (!existsSync(file)) throw new ConfigError(`config file ${file} not found`);
  return file;
}

function explicitDir(dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError(`config directory ${dir} not found`);
  return dir;
}

/** Like Python's `sorted(glob('<dir>/*.conf'))`: hidden files are not matched. */
function confFilesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name.endsWith('.conf') && !entry.name.startsWith('.') && !entry.isDirectory())
    .map((entry) => path.join(dir, entry.name))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { load as loadYaml } from 'js-yaml';

/** A policy file or directory the operator asked for cannot be used. */
export class PolicyFileError extends Error {
  override readonly name = 'PolicyFileError';
}

/**
 * Where a relative `policy_file` / `policy_dirs` entry is looked for, in order: the
 * directories of the config files that were read, the last one first (as oslo.config's
 * `find_file` does), then the current directory.
 */
export function policySearchDirs(configFiles: readonly string[], cwd: string = process.cwd()): string[] {
  const dirs = [...configFiles].reverse().map((file) => dirname(resolve(cwd, file)));
  return [...new Set([...dirs, cwd])];
}

/** The first existing `dir/name` (an absolute `name` is taken as is), or `null`. */
export function findPolicyPath(name: string, searchDirs: readonly string[]): string | null {
  for (const dir of searchDirs) {
    const candidate = resolve(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * The files oslo.policy reads from a policy directory: every regular file directly inside
 * it, skipping hidden ones, in name order (later files override earlier ones).
 */
export function listPolicyDirectory(dir: string): string[] {
  if (!statSync(dir).isDirectory()) throw new PolicyFileError(`policy directory ${dir} is not a directory`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort()
    .map((name) => resolve(dir, name));
}

/** Reads one policy file: `{rule_name: rule}` in JSON or YAML. */
export function readPolicyFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyFileError(`cannot read policy file ${path}: ${(err as Error).message}`);
  }
  try {
    return parsePolicyFileContents(text);
  } catch (err) {
    throw new PolicyFileError(`cannot parse policy file ${path}: ${(err as Error).message}`);
  }
}

/**
 * oslo.policy's `parse_file_contents`: JSON first, YAML otherwise; an empty document (or
 * one holding only comments, like the sample) means no overrides.
 */
export function parsePolicyFileContents(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // PyYAML keeps the last of duplicated keys; js-yaml does the same only in `json` mode.
    parsed = loadYaml(text, { json: true });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('expected a mapping of rule names to check strings');
  }
  return parsed as Record<string, unknown>;
}

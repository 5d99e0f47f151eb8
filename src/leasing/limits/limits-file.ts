import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { parseDuration } from './durations';

/** The limits file cannot be used; the message names the file and the offending entry. */
export class LimitsFileError extends Error {
  override readonly name = 'LimitsFileError';
}

/** The limits on one lease's window, in seconds; `null` is "no limit", a missing key inherits. */
export interface LengthLimits {
  /** Longest window a new lease may book. */
  readonly max_lease_length: number | null;
  /** Longest a lease may last, start to end, after extensions. */
  readonly max_total_length: number | null;
  /** An extension may be asked for only this long before the lease's end, or later. */
  readonly extension_window: number | null;
  /** The most one extension may add. */
  readonly max_extension: number | null;
  /** How far ahead of now a new lease may start. */
  readonly booking_horizon: number | null;
}
export type LengthLimitName = keyof LengthLimits;
export const LENGTH_LIMIT_NAMES: readonly LengthLimitName[] = [
  'max_lease_length',
  'max_total_length',
  'extension_window',
  'max_extension',
  'booking_horizon',
];

/** Limits a level of the file sets (defaults, a resource class, a project, a project's class). */
export type LimitOverrides = Partial<LengthLimits>;

/** The cleaning time kept between two consecutive leases on a node: a property of the nodes, not of projects. */
export interface NodeLimits extends LimitOverrides {
  readonly min_gap?: number | null;
}

export interface ProjectLimits {
  readonly limits: LimitOverrides;
  readonly resourceClasses: ReadonlyMap<string, LimitOverrides>;
}

/** One project's quotas; `null` is "no limit". */
export interface QuotaLimits {
  /** Most nodes its leases hold at any instant. */
  readonly nodes: number | null;
  /** Most node-hours its leases book in any 30 days. */
  readonly node_hours: number | null;
  /** Most leases it has open (not yet ended) at once. */
  readonly leases: number | null;
  /** Whether the leases of its sub-projects count towards these quotas too. */
  readonly include_subprojects: boolean;
}
export type QuotaName = 'nodes' | 'node_hours' | 'leases';
export const QUOTA_NAMES: readonly QuotaName[] = ['nodes', 'node_hours', 'leases'];

/** The limits file, validated. */
export interface LimitsDocument {
  readonly selfServiceExtension: boolean;
  readonly defaults: NodeLimits;
  readonly resourceClasses: ReadonlyMap<string, NodeLimits>;
  readonly projects: ReadonlyMap<string, ProjectLimits>;
  /** Quotas of every project without an entry of its own. */
  readonly defaultQuota: QuotaLimits | null;
  readonly quotas: ReadonlyMap<string, QuotaLimits>;
}

export function readLimitsFile(path: string): LimitsDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LimitsFileError(`cannot read limits file ${path}: ${(err as Error).message}`);
  }
  try {
    return parseLimitsDocument(loadYaml(text, { json: true }));
  } catch (err) {
    throw new LimitsFileError(`limits file ${path}: ${(err as Error).message}`);
  }
}

const TOP_LEVEL = ['self_service_extension', 'defaults', 'resource_classes', 'projects', 'quotas'];

/** Validates a parsed YAML document; an empty document means "no limits, self-service off". */
export function parseLimitsDocument(raw: unknown): LimitsDocument {
  const doc = raw === null || raw === undefined ? {} : mapping(raw, 'the document');
  rejectUnknown(doc, TOP_LEVEL, 'the document');
  const selfService = doc.self_service_extension ?? false;
  if (typeof selfService !== 'boolean') throw new Error('self_service_extension: expected true or false');

  const resourceClasses = new Map<string, NodeLimits>();
  for (const [name, value] of entries(doc.resource_classes, 'resource_classes')) {
    resourceClasses.set(name, nodeLimits(value, `resource_classes.${name}`));
  }
  const projects = new Map<string, ProjectLimits>();
  for (const [id, value] of entries(doc.projects, 'projects')) {
    projects.set(id, projectLimits(value, `projects.${id}`));
  }
  const quotas = new Map<string, QuotaLimits>();
  let defaultQuota: QuotaLimits | null = null;
  for (const [id, value] of entries(doc.quotas, 'quotas')) {
    const quota = quotaLimits(value, `quotas.${id}`);
    if (id === 'default') {
      // Per project by definition: a default that also counted sub-projects would make every
      // project's quota cover its descendants, which nobody asked for.
      if (quota.include_subprojects)
        throw new Error('quotas.default: include_subprojects applies to a named project only');
      defaultQuota = quota;
    } else {
      quotas.set(id, quota);
    }
  }
  return {
    selfServiceExtension: selfService,
    defaults: nodeLimits(doc.defaults ?? {}, 'defaults'),
    resourceClasses,
    projects,
    defaultQuota,
    quotas,
  };
}

function nodeLimits(raw: unknown, where: string): NodeLimits {
  const value = mapping(raw, where);
  rejectUnknown(value, [...LENGTH_LIMIT_NAMES, 'min_gap'], where);
  const limits: Record<string, number | null> = lengthLimits(value, where);
  if ('min_gap' in value) limits.min_gap = duration(value.min_gap, `${where}.min_gap`);
  return limits;
}

function projectLimits(raw: unknown, where: string): ProjectLimits {
  const value = mapping(raw, where);
  if ('min_gap' in value) {
    throw new Error(
      `${where}.min_gap: the cleaning time belongs to the nodes; set it under defaults or resource_classes`,
    );
  }
  rejectUnknown(value, [...LENGTH_LIMIT_NAMES, 'resource_classes'], where);
  const resourceClasses = new Map<string, LimitOverrides>();
  for (const [name, overrides] of entries(value.resource_classes, `${where}.resource_classes`)) {
    const at = `${where}.resource_classes.${name}`;
    const inner = mapping(overrides, at);
    if ('min_gap' in inner) {
      throw new Error(
        `${at}.min_gap: the cleaning time belongs to the nodes; set it under defaults or resource_classes`,
      );
    }
    rejectUnknown(inner, LENGTH_LIMIT_NAMES, at);
    resourceClasses.set(name, lengthLimits(inner, at));
  }
  return { limits: lengthLimits(value, where), resourceClasses };
}

function lengthLimits(value: Record<string, unknown>, where: string): Record<string, number | null> {
  const limits: Record<string, number | null> = {};
  for (const name of LENGTH_LIMIT_NAMES) {
    if (name in value) limits[name] = duration(value[name], `${where}.${name}`);
  }
  return limits;
}

function quotaLimits(raw: unknown, where: string): QuotaLimits {
  const value = mapping(raw, where);
  rejectUnknown(value, [...QUOTA_NAMES, 'include_subprojects'], where);
  const includeSubprojects = value.include_subprojects ?? false;
  if (typeof includeSubprojects !== 'boolean') throw new Error(`${where}.include_subprojects: expected true or false`);
  return {
    nodes: count(value.nodes, `${where}.nodes`, true),
    node_hours: count(value.node_hours, `${where}.node_hours`, false),
    leases: count(value.leases, `${where}.leases`, true),
    include_subprojects: includeSubprojects,
  };
}

/** A duration string, or `none`/null for "no limit". */
function duration(raw: unknown, where: string): number | null {
  if (raw === null || raw === 'none') return null;
  const seconds = typeof raw === 'string' ? parseDuration(raw) : null;
  if (seconds === null) {
    throw new Error(
      `${where}: expected a duration such as 30m, 48h, 7d or 1d12h (or none), got ${JSON.stringify(raw)}`,
    );
  }
  return seconds;
}

/** A non-negative number (whole when `integer`), or absent/`none`/null for "no limit". */
function count(raw: unknown, where: string, integer: boolean): number | null {
  if (raw === undefined || raw === null || raw === 'none') return null;
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || (integer && !Number.isInteger(raw))) {
    throw new Error(
      `${where}: expected a ${integer ? 'whole ' : ''}number of 0 or more (or none), got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

function mapping(raw: unknown, where: string): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where}: expected a mapping`);
  return raw as Record<string, unknown>;
}

function entries(raw: unknown, where: string): [string, unknown][] {
  return raw === undefined || raw === null ? [] : Object.entries(mapping(raw, where));
}

function rejectUnknown(value: Record<string, unknown>, known: readonly string[], where: string): void {
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new Error(`${where}: unknown key ${unknown.join(', ')} (known: ${known.join(', ')})`);
}

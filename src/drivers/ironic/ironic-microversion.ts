/** The microversion upstream esi-leap pins: the first with the node `lessee` field. */
export const IRONIC_API_VERSION = '1.65';

export type Microversion = readonly [major: number, minor: number];

export function parseMicroversion(text: string): Microversion | null {
  const m = /^(\d+)\.(\d+)$/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function compare(a: Microversion, b: Microversion): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

/** The range an Ironic root document (`GET /`) advertises for API v1, if it says. */
export function advertisedRange(rootDocument: unknown): { min: Microversion; max: Microversion } | null {
  const doc = rootDocument as { default_version?: VersionEntry; versions?: VersionEntry[] } | null;
  const v1 = doc?.versions?.find((v) => v.id === 'v1') ?? doc?.default_version;
  const max = typeof v1?.version === 'string' ? parseMicroversion(v1.version) : null;
  if (!max) return null;
  const min = (typeof v1?.min_version === 'string' ? parseMicroversion(v1.min_version) : null) ?? [1, 1];
  return { min, max };
}

interface VersionEntry {
  id?: string;
  version?: string;
  min_version?: string;
}

/**
 * The version to send: esi-leap's preferred one, lowered to the server's maximum when the server
 * is older; null when that is below what esi-leap needs (`lessee` needs 1.65) or the server's
 * minimum is above it.
 */
export function negotiateMicroversion(
  server: { min: Microversion; max: Microversion },
  preferred: string = IRONIC_API_VERSION,
  required: string = IRONIC_API_VERSION,
): string | null {
  const want = parseMicroversion(preferred)!;
  const chosen = compare(server.max, want) < 0 ? server.max : want;
  if (compare(chosen, parseMicroversion(required)!) < 0 || compare(chosen, server.min) < 0) return null;
  return `${chosen[0]}.${chosen[1]}`;
}

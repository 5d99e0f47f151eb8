/**
 * The widths of the columns that client input is stored in, from upstream's schema (the
 * baseline migration): VARCHAR widths count characters, a MySQL TEXT holds 65,535 bytes. Input
 * is checked against them on every database, so SQLite (which enforces no width) and MariaDB
 * (which refuses the row) answer the same 400.
 */
export const STORED_WIDTHS = {
  /** offers.name, leases.name */
  name: 35,
  /** leases.purpose */
  purpose: 255,
  /** offers.project_id/lessee_id, leases.project_id/owner_id: Keystone ids, or names resolved to one */
  projectId: 255,
  /** offers/leases.resource_uuid: a node id as the driver canonicalises it */
  resourceUuid: 36,
  /** Ironic node names (its own column width), which resolve to a 36-character UUID */
  resourceIdent: 255,
  /** console_auth_tokens.node_uuid */
  consoleNode: 255,
  /** offers/leases.properties: JSON text in a MySQL TEXT column */
  propertiesBytes: 65_535,
} as const;

/** How many characters a database counts in `value`: code points, not UTF-16 units. */
export function characterCount(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** How a too-long value is shown in a faultstring: whole when short, else its start. */
export function shownValue(value: string, maxCharacters = 300): string {
  let end = 0;
  let count = 0;
  for (const character of value) {
    if (count === maxCharacters) return `${value.slice(0, end)}...`;
    end += character.length;
    count++;
  }
  return value;
}

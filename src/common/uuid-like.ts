/**
 * oslo `uuidutils.is_uuid_like`: after dropping `urn:`/`uuid:` prefixes and
 * braces, removing every hyphen and lower-casing, exactly 32 hex digits. The identifier is
 * then used verbatim, never normalised.
 */
export function isUuidLike(value: string): boolean {
  let v = value.trim();
  if (v !== value) return false;
  v = v.replace(/^urn:/i, '').replace(/^uuid:/i, '');
  v = v.replace(/^\{+/, '').replace(/\}+$/, '');
  // Python's uuid.UUID() accepts hyphens only where they do not split the 32 digits oddly;
  // it simply strips them all, so any placement is accepted.
  return /^[0-9a-f]{32}$/.test(v.replace(/-/g, '').toLowerCase());
}

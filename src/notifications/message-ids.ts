import { createHash } from 'node:crypto';

/**
 * RFC 4122 version-5 uuid of `name` in `namespace`. The relay names each event's message
 * `uuid5(<cursor identity>, <event id>)`: every re-send of an event carries the same
 * `message_id` (and `_unique_id`), whichever manager sends it, so consumers can drop duplicates.
 */
export function uuid5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new TypeError(`not a uuid: ${namespace}`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

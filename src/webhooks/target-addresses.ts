import { BlockList, isIP } from 'node:net';

/** Why an address is not a public one; `metadata` is refused even where private targets are allowed. */
export type AddressClass = 'loopback' | 'private' | 'link-local' | 'metadata' | 'reserved';

/** Cloud instance-metadata services: credentials live there, whatever the deployment allows. */
const METADATA: readonly string[] = ['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254'];

const RANGES: ReadonlyArray<readonly [AddressClass, string, number, 'ipv4' | 'ipv6']> = [
  ['reserved', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '192.0.2.0', 24, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['reserved', '198.51.100.0', 24, 'ipv4'],
  ['reserved', '203.0.113.0', 24, 'ipv4'],
  ['reserved', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['reserved', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['reserved', '100::', 64, 'ipv6'],
  ['reserved', '2001:db8::', 32, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['private', 'fec0::', 10, 'ipv6'],
  ['reserved', 'ff00::', 8, 'ipv6'],
];

const LISTS = new Map<AddressClass, BlockList>();
for (const [cls, network, prefix, family] of RANGES) {
  if (!LISTS.has(cls)) LISTS.set(cls, new BlockList());
  LISTS.get(cls)!.addSubnet(network, prefix, family);
}
const METADATA_LIST = new BlockList();
for (const address of METADATA) METADATA_LIST.addAddress(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** The NAT64 prefix carries an IPv4 address in its last 32 bits (DNS64 answers for IPv4-only names). */
const NAT64 = new BlockList();
NAT64.addSubnet('64:ff9b::', 96, 'ipv6');

/**
 * The class of a non-public address, null for a public one. IPv4-mapped IPv6 addresses are
 * judged as their IPv4 address (BlockList does so), NAT64 ones by the IPv4 address inside.
 */
export function classifyAddress(address: string): AddressClass | null {
  const family = isIP(address);
  if (family === 0) throw new Error(`not an IP address: ${address}`);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (METADATA_LIST.check(address, type)) return 'metadata';
  if (type === 'ipv6' && NAT64.check(address, 'ipv6')) return classifyAddress(embeddedIpv4(address));
  for (const [cls, list] of LISTS) if (list.check(address, type)) return cls;
  return null;
}

/** Why a delivery to `address` is refused, or null when it may go there. */
export function refusal(address: string, allowPrivate: boolean): string | null {
  const cls = classifyAddress(address);
  if (cls === null || (allowPrivate && cls !== 'metadata')) return null;
  return `address ${address} is ${cls === 'metadata' ? 'a cloud metadata address' : cls}`;
}

/** The last 32 bits of an IPv6 address, as dotted IPv4. */
function embeddedIpv4(address: string): string {
  const [head, tail = ''] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  let low = groups(tail);
  const high = groups(head);
  const last = (low.length > 0 ? low : high).at(-1) ?? '';
  if (last.includes('.')) return last;
  if (address.includes('::')) low = [...Array(8 - high.length - low.length).fill('0'), ...low];
  const all = [...high, ...low].slice(-2).map((g) => parseInt(g || '0', 16));
  return [all[0] >> 8, all[0] & 255, all[1] >> 8, all[1] & 255].join('.');
}

import { ConfigError } from '../config/config-error';

/** One broker of an oslo transport URL, as amqplib connects to it. */
export interface BrokerAddress {
  readonly url: string;
  /** The same URL with the password masked, for logs. */
  readonly redacted: string;
}

const URL_SHAPE = /^([a-z0-9+]+):\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i;
const DEFAULT_PORT = 5672;

/**
 * Turns an oslo.messaging transport URL (`rabbit://user:pass@host1:5672,user:pass@host2/vhost`)
 * into AMQP URLs, one per broker, in the order given (amqp-connection-manager rotates through
 * them on failure, like kombu's round-robin fail-over). A `rabbit://` URL without hosts means
 * the local broker with kombu's defaults; the path is the virtual host, `/` when empty
 * (`esi_leap/common/rpc.py` → `oslo_messaging.TransportURL.parse`).
 */
export function parseRabbitTransportUrl(transportUrl: string, option: string, ssl: boolean): BrokerAddress[] {
  const match = URL_SHAPE.exec(transportUrl.trim());
  if (!match) throw new ConfigError(`${option}: not a transport URL (driver://[user:pass@]host:port[,...]/virtual_host)`);
  const [, scheme, netloc, path] = match;
  if (scheme.toLowerCase() !== 'rabbit') {
    throw new ConfigError(`${option}: driver '${scheme}' is not supported for notifications (only rabbit://)`);
  }
  const vhost = path && path.length > 1 ? decodeURIComponent(path.slice(1)) : '/';
  const hosts = netloc === '' ? [''] : netloc.split(',');
  return hosts.map((entry) => brokerAddress(entry, vhost, ssl, option));
}

function brokerAddress(entry: string, vhost: string, ssl: boolean, option: string): BrokerAddress {
  const at = entry.lastIndexOf('@');
  const credentials = at >= 0 ? entry.slice(0, at) : '';
  const hostPort = at >= 0 ? entry.slice(at + 1) : entry;
  const colon = credentials.indexOf(':');
  const user = decodeURIComponent(colon >= 0 ? credentials.slice(0, colon) : credentials) || 'guest';
  const password = colon >= 0 ? decodeURIComponent(credentials.slice(colon + 1)) : user === 'guest' ? 'guest' : '';
  const hp = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
  if (!hp) throw new ConfigError(`${option}: cannot read host '${hostPort}'`);
  const host = hp[1] || 'localhost';
  const port = hp[2] ? Number(hp[2]) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`${option}: invalid port in '${hostPort}'`);
  const scheme = ssl ? 'amqps' : 'amqp';
  const tail = `@${host}:${port}/${encodeURIComponent(vhost)}`;
  return {
    url: `${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(password)}${tail}`,
    redacted: `${scheme}://${encodeURIComponent(user)}:***${tail}`,
  };
}

import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { busWireFormats, WIRE_FORMATS, WireFormat } from '../config/notification-drivers';
import { BrokerAddress, parseRabbitTransportUrl } from './transport-url';

export type { WireFormat };
/** Drivers oslo accepts that publish nothing to RabbitMQ; `log`/`routing`/`test` are not replicated. */
const SILENT_DRIVERS: readonly string[] = ['noop', 'log', 'routing', 'test'];

/** Everything the publisher needs, resolved once from the configuration. */
export interface NotifierSettings {
  /** False when no bus driver is configured: nothing connects, nothing is published. */
  readonly enabled: boolean;
  readonly formats: readonly WireFormat[];
  readonly brokers: readonly BrokerAddress[];
  readonly tls: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer } | null;
  readonly exchange: string;
  /** Routing-key prefixes: `[notification] versioned_notifications_topics` overrides oslo's topics. */
  readonly topics: readonly string[];
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly queueArguments: Readonly<Record<string, string | number>>;
  /** `[oslo_messaging_notifications] retry`: -1 = keep trying, n = n more attempts after the first. */
  readonly retry: number;
  readonly publisherId: string;
  readonly heartbeatSeconds: number;
  readonly reconnectSeconds: number;
}

export function notifierSettings(config: EsiLeapConfig): NotifierSettings {
  const notifications = config.oslo_messaging_notifications;
  const rabbit = config.oslo_messaging_rabbit;
  const unknown = notifications.driver.filter(
    (d) => !(WIRE_FORMATS as readonly string[]).includes(d) && !SILENT_DRIVERS.includes(d),
  );
  if (unknown.length > 0) {
    throw new ConfigError(`[oslo_messaging_notifications] driver: unknown driver(s) ${unknown.join(', ')}`);
  }
  const formats = busWireFormats(config);
  const enabled = formats.length > 0;
  if (rabbit.rabbit_quorum_queue && rabbit.rabbit_ha_queues) {
    // oslo raises the same at its first declare (impl_rabbit._get_queue_arguments).
    throw new ConfigError('[oslo_messaging_rabbit] rabbit_quorum_queue and rabbit_ha_queues are both enabled');
  }
  const transportUrl = notifications.transport_url ?? config.DEFAULT.transport_url;
  const option = notifications.transport_url
    ? '[oslo_messaging_notifications] transport_url'
    : '[DEFAULT] transport_url';
  return {
    enabled,
    formats,
    brokers: enabled ? parseRabbitTransportUrl(transportUrl, option, rabbit.ssl) : [],
    tls: enabled && rabbit.ssl ? tlsFiles(rabbit) : null,
    exchange: config.DEFAULT.control_exchange,
    topics: config.notification.versioned_notifications_topics,
    durable: rabbit.amqp_durable_queues || rabbit.rabbit_quorum_queue,
    autoDelete: rabbit.amqp_auto_delete,
    queueArguments: queueArguments(rabbit),
    retry: notifications.retry,
    publisherId: `esi-leap-manager.${config.DEFAULT.host}`,
    heartbeatSeconds: rabbit.heartbeat_timeout_threshold,
    reconnectSeconds: rabbit.rabbit_retry_interval,
  };
}

/** impl_rabbit `_get_queue_arguments` for a notification queue (no TTL, no stream). */
function queueArguments(rabbit: EsiLeapConfig['oslo_messaging_rabbit']): Record<string, string | number> {
  if (rabbit.rabbit_ha_queues) return { 'x-ha-policy': 'all' };
  if (!rabbit.rabbit_quorum_queue) return {};
  const args: Record<string, string | number> = { 'x-queue-type': 'quorum' };
  if (rabbit.rabbit_quorum_delivery_limit) args['x-delivery-limit'] = rabbit.rabbit_quorum_delivery_limit;
  if (rabbit.rabbit_quorum_max_memory_length) args['x-max-in-memory-length'] = rabbit.rabbit_quorum_max_memory_length;
  if (rabbit.rabbit_quorum_max_memory_bytes) args['x-max-in-memory-bytes'] = rabbit.rabbit_quorum_max_memory_bytes;
  return args;
}

export function tlsFiles(rabbit: EsiLeapConfig['oslo_messaging_rabbit']): NonNullable<NotifierSettings['tls']> {
  const read = (option: string, file: string) => {
    try {
      return file ? readFileSync(file) : undefined;
    } catch (err) {
      throw new ConfigError(`[oslo_messaging_rabbit] ${option}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  return {
    ca: read('ssl_ca_file', rabbit.ssl_ca_file),
    cert: read('ssl_cert_file', rabbit.ssl_cert_file),
    key: read('ssl_key_file', rabbit.ssl_key_file),
  };
}

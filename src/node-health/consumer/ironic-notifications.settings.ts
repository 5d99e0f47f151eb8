import { EsiLeapConfig } from '../../config/esi-leap-config';
import { tlsFiles } from '../../notifications/notifier-settings';
import { BrokerAddress, parseRabbitTransportUrl } from '../../notifications/transport-url';

/** Everything the consumer needs, resolved once from `[ironic_notifications]` and `[oslo_messaging_rabbit]`. */
export interface IronicNotificationsSettings {
  readonly brokers: readonly BrokerAddress[];
  readonly tls: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer } | null;
  readonly exchange: string;
  /** oslo declares its exchanges durable only with `amqp_durable_queues`; a missing one is declared alike. */
  readonly exchangeDurable: boolean;
  /** Routing keys consumed: `<topic>.info` and `<topic>.error`. */
  readonly routingKeys: readonly string[];
  readonly queue: string;
  readonly prefetch: number;
  readonly heartbeatSeconds: number;
  readonly reconnectSeconds: number;
}

export function ironicNotificationsSettings(config: EsiLeapConfig): IronicNotificationsSettings {
  const section = config.ironic_notifications;
  const rabbit = config.oslo_messaging_rabbit;
  const option = section.transport_url ? '[ironic_notifications] transport_url' : '[DEFAULT] transport_url';
  return {
    brokers: parseRabbitTransportUrl(section.transport_url ?? config.DEFAULT.transport_url, option, rabbit.ssl),
    tls: rabbit.ssl ? tlsFiles(rabbit) : null,
    exchange: section.exchange,
    exchangeDurable: rabbit.amqp_durable_queues,
    routingKeys: [`${section.topic}.info`, `${section.topic}.error`],
    queue: section.queue,
    prefetch: section.prefetch,
    heartbeatSeconds: rabbit.heartbeat_timeout_threshold,
    reconnectSeconds: rabbit.rabbit_retry_interval,
  };
}

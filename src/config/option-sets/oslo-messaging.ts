/**
 * oslo.messaging options: the transport in [DEFAULT], the notifier in
 * [oslo_messaging_notifications] and the RabbitMQ driver in [oslo_messaging_rabbit]
 * (`oslo_messaging/transport.py`, `notify/notifier.py`, `_drivers/amqp.py`, `_drivers/impl_rabbit.py`).
 */
import { boolOpt, choiceOpt, floatOpt, fromNamespace, intOpt, listOpt, multiStrOpt, strOpt } from '../option-types';

const ORIGIN = 'oslo.messaging';

export const osloMessagingDefaultOptions = fromNamespace(ORIGIN, {
  transport_url: strOpt(
    'The network address and optional user credentials for connecting to the messaging backend, in URL ' +
      'format: driver://[user:pass@]host:port[,[userN:passN@]hostN:portN]/virtual_host?query',
    { secret: true, default: 'rabbit://' },
  ),
  control_exchange: strOpt(
    'The default exchange under which topics are scoped. May be overridden by an exchange name ' +
      'specified in the transport_url option.',
    { default: 'openstack' },
  ),
  rpc_response_timeout: intOpt('Seconds to wait for a response from a call.', { default: 60 }),
  executor_thread_pool_size: intOpt('Size of executor thread pool when executor is threading or eventlet.', {
    default: 64,
  }),
});

export const osloMessagingNotificationsOptions = fromNamespace(ORIGIN, {
  driver: multiStrOpt(
    'The Drivers(s) to handle sending notifications. Possible values are messaging, messagingv2, ' +
      'routing, log, test, noop',
    [],
    { deprecatedNames: [{ section: 'DEFAULT', name: 'notification_driver' }] },
  ),
  transport_url: strOpt(
    'A URL representing the messaging driver to use for notifications. If not set, we fall back to ' +
      'the same configuration used for RPC.',
    { secret: true, deprecatedNames: [{ section: 'DEFAULT', name: 'notification_transport_url' }] },
  ),
  topics: listOpt('AMQP topic used for OpenStack notifications.', {
    default: ['notifications'],
    deprecatedNames: [
      { section: 'rpc_notifier2', name: 'topics' },
      { section: 'DEFAULT', name: 'notification_topics' },
    ],
  }),
  retry: intOpt(
    'The maximum number of attempts to re-send a notification message which failed to be delivered due ' +
      'to a recoverable error. 0 - No retry, -1 - indefinite',
    { default: -1 },
  ),
});

export const osloMessagingRabbitOptions = fromNamespace(ORIGIN, {
  amqp_durable_queues: boolOpt('Use durable queues in AMQP.', false, {
    deprecatedNames: [
      { section: 'DEFAULT', name: 'amqp_durable_queues' },
      { section: 'DEFAULT', name: 'rabbit_durable_queues' },
    ],
  }),
  amqp_auto_delete: boolOpt('Auto-delete queues in AMQP.', false, {
    deprecatedNames: [{ section: 'DEFAULT', name: 'amqp_auto_delete' }],
  }),
  rpc_conn_pool_size: intOpt('Size of RPC connection pool.', { default: 30, min: 1 }),
  conn_pool_min_size: intOpt('The pool size limit for connections expiration policy', { default: 2 }),
  conn_pool_ttl: intOpt('The time-to-live in sec of idle connections in the pool', { default: 1200 }),
  ssl: boolOpt('Connect over SSL.', false),
  ssl_version: strOpt(
    'SSL version to use (valid only if SSL enabled). Valid values are TLSv1 and SSLv23. SSLv2, SSLv3, ' +
      'TLSv1_1, and TLSv1_2 may be available on some distributions.',
    { default: '' },
  ),
  ssl_key_file: strOpt('SSL key file (valid only if SSL enabled).', { default: '' }),
  ssl_cert_file: strOpt('SSL cert file (valid only if SSL enabled).', { default: '' }),
  ssl_ca_file: strOpt('SSL certification authority file (valid only if SSL enabled).', { default: '' }),
  ssl_enforce_fips_mode: boolOpt('Global toggle for enforcing the OpenSSL FIPS mode.', false),
  heartbeat_in_pthread: boolOpt('Run the health check heartbeat thread through a native python thread.', false, {
    deprecatedForRemoval: 'The option is related to Eventlet which will be removed.',
  }),
  kombu_reconnect_delay: floatOpt(
    'How long to wait (in seconds) before reconnecting in response to an AMQP consumer cancel notification.',
    { default: 1.0, min: 0, max: 4.5 },
  ),
  kombu_reconnect_splay: floatOpt(
    'Random time to wait for when reconnecting in response to an AMQP consumer cancel notification.',
    { default: 0, min: 0 },
  ),
  kombu_compression: strOpt(
    'EXPERIMENTAL: Possible values are: gzip, bz2. If not set compression will not be used. This option ' +
      'may not be available in future versions.',
  ),
  kombu_missing_consumer_retry_timeout: intOpt(
    'How long to wait a missing client before abandoning to send it its replies. This value should not be ' +
      'longer than rpc_response_timeout.',
    { default: 60, deprecatedNames: [{ name: 'kombu_reconnect_timeout' }] },
  ),
  kombu_failover_strategy: choiceOpt(
    'Determines how the next RabbitMQ node is chosen in case the one we are currently connected to ' +
      'becomes unavailable. Takes effect only if more than one RabbitMQ node is provided in config.',
    ['round-robin', 'shuffle'],
    'round-robin',
  ),
  rabbit_login_method: choiceOpt(
    'The RabbitMQ login method.',
    ['PLAIN', 'AMQPLAIN', 'EXTERNAL', 'RABBIT-CR-DEMO'],
    'AMQPLAIN',
  ),
  rabbit_retry_interval: intOpt('How frequently to retry connecting with RabbitMQ.', { default: 1, min: 1 }),
  rabbit_retry_backoff: intOpt('How long to backoff for between retries when connecting to RabbitMQ.', {
    default: 2,
    min: 0,
  }),
  rabbit_interval_max: intOpt('Maximum interval of RabbitMQ connection retries.', { default: 30, min: 1 }),
  rabbit_ha_queues: boolOpt(
    'Try to use HA queues in RabbitMQ (x-ha-policy: all). If you change this option, you must wipe the ' +
      'RabbitMQ database.',
    false,
  ),
  rabbit_quorum_queue: boolOpt(
    'Use quorum queues in RabbitMQ (x-queue-type: quorum). Quorum queues are durable by default so the ' +
      'amqp_durable_queues option is ignored when this option is enabled.',
    false,
  ),
  rabbit_transient_quorum_queue: boolOpt('Use quorum queues for transients queues in RabbitMQ.', false),
  rabbit_quorum_delivery_limit: intOpt(
    'Redelivery count after which a message is dropped or dead-lettered. Used only when ' +
      'rabbit_quorum_queue is enabled, Default 0 which means dont set a limit.',
    { default: 0 },
  ),
  rabbit_quorum_max_memory_length: intOpt(
    'Limit of the number of messages in the quorum queue. Used only when rabbit_quorum_queue is enabled, ' +
      'Default 0 which means dont set a limit.',
    { default: 0, deprecatedNames: [{ name: 'rabbit_quroum_max_memory_length' }] },
  ),
  rabbit_quorum_max_memory_bytes: intOpt(
    'Limit of the memory bytes used by the quorum queue. Used only when rabbit_quorum_queue is enabled, ' +
      'Default 0 which means dont set a limit.',
    { default: 0, deprecatedNames: [{ name: 'rabbit_quroum_max_memory_bytes' }] },
  ),
  rabbit_transient_queues_ttl: intOpt(
    'Positive integer representing duration in seconds for queue TTL (x-expires). Queues which are unused ' +
      'for the duration of the TTL are automatically deleted. The parameter affects only reply and fanout ' +
      'queues. Setting 0 as value will disable the x-expires.',
    { default: 1800, min: 0 },
  ),
  rabbit_qos_prefetch_count: intOpt(
    'Specifies the number of messages to prefetch. Setting to zero allows unlimited messages.',
    { default: 0 },
  ),
  heartbeat_timeout_threshold: intOpt(
    "Number of seconds after which the Rabbit broker is considered down if heartbeat's keep-alive fails " +
      '(0 disables heartbeat).',
    { default: 60 },
  ),
  heartbeat_rate: intOpt('How often times during the heartbeat_timeout_threshold we check the heartbeat.', {
    default: 3,
  }),
  direct_mandatory_flag: boolOpt('Enable/Disable the RabbitMQ mandatory flag for direct send.', true, {
    deprecatedForRemoval: 'Mandatory flag no longer deactivable.',
  }),
  enable_cancel_on_failover: boolOpt(
    'Enable x-cancel-on-ha-failover flag so that rabbitmq server will cancel and notify consumers when ' +
      'queue is down',
    false,
  ),
  use_queue_manager: boolOpt('Should we use consistant queue names or random ones', false),
  hostname: strOpt('Hostname used by queue manager. Defaults to the value returned by socket.gethostname().', {
    default: (ctx) => ctx.hostname,
    sampleDefault: 'node1.example.com',
  }),
  processname: strOpt('Process name used by queue manager', {
    default: (ctx) => ctx.programName,
    sampleDefault: 'esi-leap-api',
  }),
  rabbit_stream_fanout: boolOpt(
    'Use stream queues in RabbitMQ (x-queue-type: stream). If set this option will replace all fanout ' +
      'queues with only one stream queue.',
    false,
  ),
});

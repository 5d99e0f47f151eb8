/** Options that only this implementation has. Their help text is marked by `fromNamespace`. */
import {
  ADDITION_ORIGIN,
  boolOpt,
  choiceOpt,
  floatOpt,
  fromNamespace,
  intOpt,
  listOpt,
  portOpt,
  strOpt,
  uriOpt,
} from '../option-types';

export const additionDefaultOptions = fromNamespace(ADDITION_ORIGIN, {
  log_level: choiceOpt(
    'Minimum level of log messages. "debug = true" in [DEFAULT] forces debug.',
    ['debug', 'info', 'warning', 'error'],
    'info',
  ),
  status_port: portOpt(
    'Port on which a process without the API role (manager, console proxy) serves /healthcheck and, ' +
      'when [metrics] enabled, /metrics, on [api] host_ip. 0 serves nothing.',
    0,
  ),
});

/** Prometheus exposition (src/ops). */
export const additionMetricsOptions = fromNamespace(ADDITION_ORIGIN, {
  enabled: boolOpt(
    'Serve Prometheus metrics at /metrics. The endpoint needs no token: restrict who can reach it.',
    false,
  ),
});

export const additionDatabaseOptions = fromNamespace(ADDITION_ORIGIN, {
  auto_upgrade: boolOpt('Apply pending database migrations when a service starts.', false),
});

export const additionNoauthOptions = fromNamespace(ADDITION_ORIGIN, {
  project_id: strOpt('With [pecan] auth_enable = false: project of a request that carries no identity headers.', {
    default: '00000000000000000000000000000001',
  }),
  project_name: strOpt('With auth disabled: name of the default project.', { default: 'admin' }),
  roles: listOpt('With auth disabled: roles of a request that carries no identity headers.', {
    default: ['admin'],
  }),
  projects: listOpt(
    'With auth disabled: the static project directory that stands in for Keystone, as id:name or ' +
      'id:name:parent_id entries. The default project is always part of it.',
    {
      default: [],
      itemFormat: { pattern: /^[^:]+:[^:]+(:[^:]+)?$/, description: 'id:name or id:name:parent_id entries' },
    },
  ),
});

export const additionIronicOptions = fromNamespace(ADDITION_ORIGIN, {
  node_list_cache_ttl: floatOpt(
    'Seconds the full Ironic node list that decorates offer and lease listings is reused; 0 disables. ' +
      'Lease changes made by esi-leap invalidate it; single-node reads are never cached.',
    { default: 10, min: 0 },
  ),
});

export const additionManagerOptions = fromNamespace(ADDITION_ORIGIN, {
  sweep_interval: intOpt('Seconds between two runs of the manager jobs (the safety-net sweep).', {
    default: 10,
    min: 1,
  }),
  max_attempts: intOpt('Attempts at a failing lease/offer transition before it is put in error.', {
    default: 5,
    min: 1,
  }),
  retry_backoff_base: floatOpt('Seconds before the first retry of a failed transition; doubles each attempt.', {
    default: 2,
    min: 0,
  }),
  retry_backoff_max: floatOpt('Upper bound, in seconds, of the delay between two retries.', {
    default: 300,
    min: 0,
  }),
  batch_size: intOpt('Most rows one manager job handles per run.', { default: 500, min: 1 }),
});

/** The notification relay (src/notifications): publishes the events outbox to RabbitMQ. */
export const additionNotificationOptions = fromNamespace(ADDITION_ORIGIN, {
  relay_interval: floatOpt('Seconds between two looks at the events table for notifications to publish.', {
    default: 1,
    min: 0.05,
  }),
  publish_timeout: floatOpt(
    'Seconds one publish may take (connecting included) before it counts as failed and is retried later.',
    { default: 10, min: 0.1 },
  ),
});

export const additionSerialConsoleProxyOptions = fromNamespace(ADDITION_ORIGIN, {
  public_url: uriOpt(
    'Base URL clients use to reach the proxy, written into console access URLs. ' +
      'Unset means ws://<host_address>:<port>.',
    ['ws', 'wss'],
  ),
  allowed_origins: listOpt('Origins allowed to open a console websocket. Empty means any origin.', {
    default: [],
  }),
});

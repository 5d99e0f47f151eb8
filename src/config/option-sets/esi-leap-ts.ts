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
  log_format: choiceOpt(
    'How log lines are written: "json" (one JSON object per line, for collectors), "text" (one line a ' +
      'person reads: ISO-8601 UTC time, pid, level, logger, message), or "auto": text on a terminal, JSON ' +
      'otherwise or when use_json = true.',
    ['auto', 'json', 'text'],
    'auto',
  ),
  status_port: portOpt(
    'Plain-HTTP port, on [api] host_ip, serving /healthcheck and, when [metrics] enabled, /metrics, in ' +
      'every role (the API role serves /healthcheck on its own port too, never /metrics). 0 serves nothing; ' +
      '[metrics] enabled needs it.',
    0,
  ),
});

/** Request limits of the API (src/common/http/request-limits.ts); generous or off by default. */
export const additionApiOptions = fromNamespace(ADDITION_ORIGIN, {
  max_request_body_size: intOpt('Largest request body, in bytes, the API reads; a larger one is answered 413.', {
    default: 1048576,
    min: 1,
  }),
  max_query_length: intOpt(
    'Longest query string, in bytes (after "?"), the API accepts; a longer one is answered 414. 0 disables the check.',
    { default: 8192, min: 0 },
  ),
  rate_limit: intOpt(
    'Most API requests one project may make per rate_limit_period; more are answered 429 with Retry-After. ' +
      '0 disables rate limiting. Counted per process.',
    { default: 0, min: 0 },
  ),
  rate_limit_period: intOpt('Length, in seconds, of the window rate_limit counts requests in.', {
    default: 60,
    min: 1,
  }),
  response_gzip_level: intOpt(
    'gzip level (1 fastest to 9 smallest) of JSON replies to clients that send "Accept-Encoding: gzip"; ' +
      '0 never compresses. Compressed replies carry "Vary: Accept-Encoding" (docs/performance.md).',
    { default: 0, min: 0, max: 9 },
  ),
  response_gzip_min_size: intOpt(
    'Smallest JSON reply, in bytes, that response_gzip_level compresses; shorter ones are sent as they are.',
    { default: 8192, min: 0 },
  ),
});

/** Prometheus exposition (src/ops). */
export const additionMetricsOptions = fromNamespace(ADDITION_ORIGIN, {
  enabled: boolOpt(
    'Serve Prometheus metrics at /metrics on [DEFAULT] status_port (which must be set). The endpoint ' +
      'needs no token: restrict who can reach that port.',
    false,
  ),
});

export const additionDatabaseOptions = fromNamespace(ADDITION_ORIGIN, {
  auto_upgrade: boolOpt('Apply pending database migrations when a service starts.', false),
  lock_wait_timeout: floatOpt(
    'Seconds a booking or transition waits for a resource that another request or manager is changing ' +
      '(MySQL innodb_lock_wait_timeout per connection; SQLite the write lock) before it answers 503.',
    { default: 10, min: 0.1 },
  ),
  statement_timeout: floatOpt(
    'Seconds any one MySQL statement may take before it fails and its request answers 503, so a hung ' +
      'database server cannot hold requests without bound; 0 disables. Keep it above lock_wait_timeout.',
    { default: 30, min: 0 },
  ),
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

/**
 * Time and connection limits of an outbound client section (src/openstack/outbound-http.ts):
 * a dependency that never answers costs at most `call_timeout` per call, then a 503 naming it.
 */
function outboundClientOptions(service: string, callTimeout: number, maxConnections: number) {
  return {
    call_timeout: floatOpt(
      `Longest time, in seconds, one call to ${service} may take in total (connecting, TLS, ` +
        'authentication, retries and their back-off included); then the request is answered 503 naming ' +
        `${service}. A per-request timeout option longer than this is cut to it.`,
      { default: callTimeout, min: 0.1 },
    ),
    max_connections: intOpt(
      `Most connections one process keeps open to ${service}; further requests wait for a free one. ` +
        "Idle connections close after 1 second, so they do not hold the server's workers.",
      { default: maxConnections, min: 1 },
    ),
  };
}

export const additionKeystoneAuthtokenOptions = fromNamespace(
  ADDITION_ORIGIN,
  outboundClientOptions('Keystone (token validation)', 10, 4),
);

export const additionKeystoneOptions = fromNamespace(
  ADDITION_ORIGIN,
  outboundClientOptions('Keystone (project look-ups)', 10, 4),
);

export const additionIronicOptions = fromNamespace(ADDITION_ORIGIN, {
  ...outboundClientOptions('Ironic', 30, 8),
  node_list_cache_ttl: floatOpt(
    'Seconds the full Ironic node list that decorates offer and lease listings, and proposes nodes to ' +
      'group bookings and availability searches, is reused; 0 disables. Lease changes made by esi-leap ' +
      'invalidate it; single-node reads are never cached.',
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
  claim_timeout: intOpt(
    'Seconds a process claims a lease for while it calls the driver; renewed while the calls run. ' +
      'A lease whose claimant died is taken up again this long after its last renewal.',
    { default: 15, min: 3 },
  ),
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

/**
 * E-mail to lessees (src/notifications/email), replacing upstream's cron script
 * esi-leap-email-notification and its environment variables.
 */
export const additionEmailOptions = fromNamespace(ADDITION_ORIGIN, {
  enabled: boolOpt('Send lease-started and lease-expiring e-mails to lessee projects (upstream ENABLE_EMAIL).', false),
  interval: intOpt('Seconds between two runs of the e-mail job in the manager.', { default: 3600, min: 1 }),
  smtp_host: strOpt('SMTP server (upstream SMTP_SERVER).', { default: 'localhost' }),
  smtp_port: portOpt('SMTP port.', 25),
  smtp_starttls: boolOpt('Upgrade the SMTP connection with STARTTLS and refuse to send without it.', false),
  smtp_username: strOpt('SMTP user name; unset sends without authentication.'),
  smtp_password: strOpt('SMTP password.', { secret: true }),
  sender: strOpt('From address and envelope sender (upstream EMAIL_SENDER).'),
  warning_days: intOpt('Warn about a lease this many days before its end (upstream LEASE_WARNING_DAYS).', {
    default: 1,
    min: 0,
  }),
  lease_create_template: strOpt('Template of the lease-started mail; unset uses config/email/lease_create_email.txt.'),
  lease_expire_template: strOpt('Template of the lease-expiring mail; unset uses config/email/lease_expire_email.txt.'),
  lease_end_soon_template: strOpt(
    'Template of the mail sent for each [reminders] end_lead_times reminder; unset uses config/email/lease_end_soon_email.txt.',
  ),
  lease_start_soon_template: strOpt(
    'Template of the mail sent for each [reminders] start_lead_times reminder; unset uses ' +
      'config/email/lease_start_soon_email.txt.',
  ),
  reminder_interval: intOpt(
    'Seconds between two looks for reminder mails not sent yet (a manager mails the reminders it writes at once; ' +
      'this catches those of a manager that stopped, and failed sends).',
    { default: 10, min: 1 },
  ),
  project_contacts: listOpt(
    'Recipient of each lessee project, as project_id:address entries. With Keystone, a project without an ' +
      'entry is mailed at its "email" property, as upstream.',
    { default: [], itemFormat: { pattern: /^[^:]+:.+@.+$/, description: 'project_id:address entries' } },
  ),
});

/** Lease limits, quotas and self-service extension (src/lease-policy, docs/lease-lifecycle.md). */
export const additionLeasePolicyOptions = fromNamespace(ADDITION_ORIGIN, {
  limits_file: strOpt(
    'The lease limits file (YAML): lease lengths, extension rules, booking horizon, cleaning time, quotas and ' +
      'self-service extension, by project and resource class. Relative paths are found like [oslo_policy] ' +
      'policy_file, beside the configuration files; it is re-read when it changes. Only a file named otherwise ' +
      'than the default must exist: without one no limits apply and the API answers as upstream.',
    { default: 'lease-limits.yaml' },
  ),
});

/**
 * An external usage-enforcement service speaking Blazar's ExternalServiceFilter protocol
 * (src/lease-policy/enforcement, docs/lease-lifecycle.md).
 */
export const additionEnforcementOptions = fromNamespace(ADDITION_ORIGIN, {
  external_url: uriOpt(
    'Base URL of an external usage-enforcement service: bookings of leases are POSTed to {url}/check-create ' +
      'or {url}/check-update before they are written, ended leases to {url}/on-end. Unset: no external checks.',
    ['http', 'https'],
  ),
  external_token: strOpt('Static token sent to the enforcement service in the X-Auth-Token header.', {
    secret: true,
  }),
  external_timeout: floatOpt('Seconds one call to the enforcement service may take.', { default: 10, min: 0.1 }),
  external_fail_open: boolOpt(
    'When the enforcement service times out, cannot be reached or answers other than 204 or 403: true lets ' +
      'the booking through (and logs it), false refuses it with 503.',
    false,
  ),
});

/** Consuming Ironic's versioned notifications (src/node-health/consumer), in the manager role. */
export const additionIronicNotificationsOptions = fromNamespace(ADDITION_ORIGIN, {
  enabled: boolOpt(
    "Consume Ironic's versioned notifications (maintenance, provision failures, updates, deletions) so " +
      'node health takes effect within moments. Ironic must emit them: [DEFAULT] notification_level = info ' +
      'and [oslo_messaging_notifications] driver = messagingv2 in ironic.conf.',
    false,
  ),
  transport_url: strOpt(
    "The broker Ironic publishes its notifications to (rabbit://user:pass@host:port/vhost); unset uses " +
      '[DEFAULT] transport_url.',
    { secret: true },
  ),
  exchange: strOpt("The exchange Ironic publishes to: Ironic's [DEFAULT] control_exchange.", { default: 'ironic' }),
  topic: strOpt("Ironic's [DEFAULT] versioned_notifications_topics; priorities info and error are consumed.", {
    default: 'ironic_versioned_notifications',
  }),
  queue: strOpt(
    "Name of esi-leap's own durable queue bound to the topic. Managers sharing it take turns with the " +
      'messages; a stopped manager finds them waiting when it comes back.',
    { default: 'esi_leap_node_health' },
  ),
  prefetch: intOpt('Notifications the broker hands this manager ahead of acknowledgement.', { default: 16, min: 1 }),
});

/** What esi-leap does about unhealthy nodes (src/node-health). */
export const additionNodeHealthOptions = fromNamespace(ADDITION_ORIGIN, {
  reconcile_interval: intOpt(
    'Seconds between two reads of the health of every node with offers or leases through its driver, the ' +
      'safety net for lost or disabled notifications. 0 disables the reconcile.',
    { default: 60, min: 0 },
  ),
  unhealthy_provision_states: listOpt('Provision states in which a node is unhealthy.', {
    default: ['enroll', 'clean failed', 'deploy failed'],
  }),
  replace_future_leases: boolOpt(
    'Move a lease that has not started off a node that became unhealthy, onto a healthy node of the same ' +
      'owner and resource class whose available offer covers the lease and is free for it.',
    false,
  ),
});

/** `48h`, `90m`, `2d`, `30s`: a positive whole number of seconds, minutes, hours or days. */
const LEAD_TIME = { pattern: /^0*[1-9]\d*[smhd]$/, description: 'lead times such as 48h, 90m, 2d or 30s' };

/**
 * Lease reminders (src/notifications/reminders): `esi_leap.lease.end_soon`/`start_soon` events,
 * with their notifications and e-mails. Nothing is written while both lists are empty.
 */
export const additionRemindersOptions = fromNamespace(ADDITION_ORIGIN, {
  end_lead_times: listOpt(
    'How long before the end of an active lease to remind its lessee, e.g. 48h,1h: one ' +
      'esi_leap.lease.end_soon event (and e-mail) per lease, lead time and end time. Empty: no end reminders.',
    { default: [], itemFormat: LEAD_TIME },
  ),
  start_lead_times: listOpt(
    'How long before the start of a lease not started yet to remind its lessee, e.g. 24h: one ' +
      'esi_leap.lease.start_soon event (and e-mail) per lease, lead time and start time. Empty: no start reminders.',
    { default: [], itemFormat: LEAD_TIME },
  ),
});

/** Tenant webhooks (src/webhooks): `/v1/webhooks` and the deliveries the manager makes. */
export const additionWebhooksOptions = fromNamespace(ADDITION_ORIGIN, {
  enabled: boolOpt(
    'Serve /v1/webhooks and deliver events to the registered URLs. Off: the routes do not exist, as upstream.',
    false,
  ),
  secret_keys: listOpt(
    'Keys (any text, at least 16 characters each) that encrypt the webhook signing secrets stored in the ' +
      'database; the first encrypts, all are tried to decrypt, so a new key goes first and an old one stays ' +
      'listed until every webhook has been re-created. Required when enabled.',
    { default: [], secret: true },
  ),
  allow_private_targets: boolOpt(
    'Allow webhook URLs on loopback, private, link-local and other non-public addresses (cloud metadata ' +
      'addresses stay refused). Only for deployments whose tenants may reach the internal network anyway.',
    false,
  ),
  max_per_project: intOpt('Most webhooks one project may register.', { default: 10, min: 1 }),
  timeout: floatOpt(
    'Seconds one delivery attempt may take, connecting and reading the answer included, before it counts as failed.',
    { default: 10, min: 0.1 },
  ),
  retry_backoff_base: floatOpt('Seconds before the first retry of a failed delivery; doubles with each attempt.', {
    default: 10,
    min: 0.1,
  }),
  retry_backoff_max: floatOpt('Upper bound, in seconds, of the delay between two delivery attempts.', {
    default: 3600,
    min: 0.1,
  }),
  retry_for: floatOpt('Seconds after its event during which a delivery is retried; after that it is marked failed.', {
    default: 86400,
    min: 0,
  }),
  poll_interval: floatOpt('Seconds between two looks for new events and due deliveries in the manager.', {
    default: 1,
    min: 0.05,
  }),
  max_parallel: intOpt('Deliveries one manager makes at the same time.', { default: 4, min: 1 }),
  delivery_retention: intOpt(
    'Seconds a finished (delivered or failed) delivery stays listed in /v1/webhooks/{id}/deliveries.',
    { default: 604800, min: 60 },
  ),
});

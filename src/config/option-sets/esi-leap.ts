/**
 * esi-leap's own options (`esi_leap/conf/*.py`). Upstream declares most of them without
 * help text; the help here says what the option does in this service.
 */
import { boolOpt, choiceOpt, fromNamespace, hostOpt, intOpt, listOpt, portOpt, strOpt } from '../option-types';

const ORIGIN = 'esi-leap';

export const esiLeapDefaultOptions = fromNamespace(ORIGIN, {
  host: strOpt('Name of this host: the host part of the notification publisher_id. Defaults to the OS host name.', {
    default: (ctx) => ctx.hostname,
    sampleDefault: '<hostname>',
  }),
});

export const esiLeapApiOptions = fromNamespace(ORIGIN, {
  host_ip: hostOpt('IP address or host name the API listens on.', '0.0.0.0'),
  port: portOpt('TCP port the API listens on.', 7777),
  max_limit: intOpt(
    'Most rows one page of a list returns when the request gives a larger "limit" (unused upstream, which does ' +
      'not paginate; lists without "limit" are never cut). Below 1, no cap.',
    { default: 1000 },
  ),
  public_endpoint: strOpt(
    'Public base URL of the API, for the "next" page URL of a list asked with "limit" when a proxy rewrites the ' +
      'host; unset, the scheme and Host of the request. Declared upstream but unused there.',
  ),
  api_workers: intOpt('Number of API worker processes upstream; unset means one per CPU.'),
  enable_ssl_api: boolOpt('Serve the API over HTTPS, with the certificate and key of the [ssl] section.', false),
  default_resource_type: strOpt('Resource type assumed when a request does not name one.', {
    default: 'ironic_node',
  }),
  max_lease_time: intOpt('Longest lease, in days, a non-admin may request.', { default: 21 }),
  default_lease_time: intOpt('Length of a lease, in days, when the request gives no end time.', { default: 7 }),
});

export const esiLeapDummyNodeOptions = fromNamespace(ORIGIN, {
  dummy_node_dir: strOpt('Directory holding one JSON file per dummy_node resource.', { default: '/tmp/nodes' }),
});

export const esiLeapNotificationOptions = fromNamespace(ORIGIN, {
  notification_level: choiceOpt(
    'Minimum level of the notifications to send (and of the events to record). ' +
      'Set to critical to send none of the lease/offer notifications, which are info or error.',
    ['debug', 'info', 'warning', 'error', 'critical'],
    'info',
  ),
  versioned_notifications_topics: listOpt('Topics (routing-key prefixes) of the versioned notifications.', {
    default: ['esi_leap_versioned_notifications'],
  }),
});

export const esiLeapPecanOptions = fromNamespace(ORIGIN, {
  root: strOpt('Upstream pecan root controller.', {
    default: 'esi_leap.api.controllers.root.RootController',
  }),
  modules: listOpt('Upstream pecan modules.', { default: ['esi_leap.api'] }),
  debug: boolOpt('Upstream pecan debug mode.', false),
  auth_enable: boolOpt(
    'Validate Keystone tokens ([keystone_authtoken]) and enforce policy. ' +
      'When false ("noauth"), the identity comes from request headers and every policy check passes.',
    true,
  ),
});

export const esiLeapSerialConsoleProxyOptions = fromNamespace(ORIGIN, {
  host_address: hostOpt(
    'Address the serial console proxy listens on; also the host of console access URLs ' + 'unless public_url is set.',
    '0.0.0.0',
  ),
  port: portOpt('Port the serial console proxy listens on; also the port of console access URLs.', 6083),
  timeout: intOpt('If greater than 0, the longest a console session may last, in seconds.', { default: -1 }),
  token_ttl: intOpt('Lifetime in seconds of a console token when the request gives none.', { default: 600 }),
});

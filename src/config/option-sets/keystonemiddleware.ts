/** keystonemiddleware's auth_token options (`keystonemiddleware/auth_token/_opts.py`). */
import { boolOpt, fromNamespace, intOpt, listOpt, strOpt } from '../option-types';

const PUBLIC_ENDPOINT_HELP =
  'Complete "public" Identity API endpoint. This endpoint should not be an "admin" endpoint, as it should ' +
  'be accessible by all end users. Unauthenticated clients are redirected to this endpoint to authenticate.';

export const keystonemiddlewareOptions = fromNamespace('keystonemiddleware.auth_token', {
  www_authenticate_uri: strOpt(PUBLIC_ENDPOINT_HELP, { deprecatedNames: [{ name: 'auth_uri' }] }),
  auth_uri: strOpt(`${PUBLIC_ENDPOINT_HELP} This option is deprecated in favor of www_authenticate_uri.`, {
    deprecatedForRemoval: 'The auth_uri option is deprecated in favor of www_authenticate_uri.',
  }),
  auth_version: strOpt('API version of the Identity API endpoint.'),
  interface: strOpt(
    'Interface to use for the Identity API endpoint. Valid values are "public", "internal" (default) or "admin".',
    { default: 'internal' },
  ),
  delay_auth_decision: boolOpt(
    'Do not handle authorization requests within the middleware, but delegate the authorization decision to ' +
      'downstream WSGI components.',
    false,
  ),
  http_connect_timeout: intOpt('Request timeout value for communicating with Identity API server.'),
  http_request_max_retries: intOpt(
    'How many times are we trying to reconnect when communicating with Identity API Server.',
    { default: 3 },
  ),
  cache: strOpt('Request environment key where the Swift cache object is stored. Not used by this service.'),
  certfile: strOpt('Required if identity server requires client certificate'),
  keyfile: strOpt('Required if identity server requires client certificate'),
  cafile: strOpt(
    'A PEM encoded Certificate Authority to use when verifying HTTPs connections. Defaults to system CAs.',
  ),
  insecure: boolOpt('Verify HTTPS connections.', false),
  region_name: strOpt('The region in which the identity server can be found.'),
  memcached_servers: listOpt(
    'Optionally specify a list of memcached server(s) to use for caching. If left undefined, tokens will ' +
      'instead be cached in-process.',
    { deprecatedNames: [{ name: 'memcache_servers' }] },
  ),
  token_cache_time: intOpt(
    'In order to prevent excessive effort spent validating tokens, the middleware caches previously-seen ' +
      'tokens for a configurable duration (in seconds). Set to -1 to disable caching completely.',
    { default: 300 },
  ),
  memcache_security_strategy: strOpt(
    '(Optional) If defined, indicate whether token data should be authenticated or authenticated and ' +
      'encrypted. If MAC, token data is authenticated (with HMAC) in the cache. If ENCRYPT, token data is ' +
      'encrypted and authenticated in the cache.',
    { default: 'None', choices: ['None', 'MAC', 'ENCRYPT'], ignoreCase: true },
  ),
  memcache_secret_key: strOpt(
    '(Optional, mandatory if memcache_security_strategy is defined) This string is used for key derivation.',
    { secret: true },
  ),
  memcache_pool_dead_retry: intOpt(
    '(Optional) Number of seconds memcached server is considered dead before it is tried again.',
    { default: 300 },
  ),
  memcache_pool_maxsize: intOpt('(Optional) Maximum total number of open connections to every memcached server.', {
    default: 10,
  }),
  memcache_pool_socket_timeout: intOpt(
    '(Optional) Socket timeout in seconds for communicating with a memcached server.',
    { default: 3 },
  ),
  memcache_pool_unused_timeout: intOpt(
    '(Optional) Number of seconds a connection to memcached is held unused in the pool before it is closed.',
    { default: 60 },
  ),
  memcache_pool_conn_get_timeout: intOpt(
    '(Optional) Number of seconds that an operation will wait to get a memcached client connection from the pool.',
    { default: 10 },
  ),
  memcache_use_advanced_pool: boolOpt('(Optional) Use the advanced (eventlet safe) memcached client pool.', true),
  include_service_catalog: boolOpt(
    '(Optional) Indicate whether to set the X-Service-Catalog header. If False, middleware will not ask for ' +
      'service catalog on token validation and will not set the X-Service-Catalog header.',
    true,
  ),
  enforce_token_bind: strOpt(
    'Used to control the use and type of token binding. Can be set to: "disabled" to not check token ' +
      'binding. "permissive" (default) to validate binding information if the bind type is of a form known to ' +
      'the server and ignore it if not. "strict" like "permissive" but if the bind type is unknown the token ' +
      'will be rejected. "required" any form of token binding is needed to be allowed. Finally the name of a ' +
      'binding method that must be present in tokens.',
    { default: 'permissive' },
  ),
  service_token_roles: listOpt(
    'A choice of roles that must be present in a service token. Service tokens are allowed to request that ' +
      'an expired token can be used and so this check should tightly control that only actual services ' +
      'should be sending this token. Roles here are applied as an ANY check so any role in this list must be ' +
      'present.',
    { default: ['service'] },
  ),
  service_token_roles_required: boolOpt(
    "For backwards compatibility reasons we must let valid service tokens pass that don't pass the " +
      'service_token_roles check as valid. Setting this true will become the default in a future release and ' +
      'should be enabled if possible.',
    false,
  ),
  service_type: strOpt(
    'The name or type of the service as it appears in the service catalog. This is used to validate tokens ' +
      'that have restricted access rules.',
  ),
  memcache_sasl_enabled: boolOpt(
    'Enable the SASL(Simple Authentication and Security Layer) if the SASL_enable is true, else disable.',
    false,
  ),
  memcache_username: strOpt('the user name for the SASL', { default: '' }),
  memcache_password: strOpt('the username password for SASL', { default: '', secret: true }),
});

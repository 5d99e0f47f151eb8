/**
 * keystoneauth1's session, auth and adapter options (`keystoneauth1/loading/*.py`), registered
 * upstream in [ironic] and [keystone] and, for the auth part, in [keystone_authtoken].
 * keystoneauth registers a plugin's options only once `auth_type` names the plugin; a static table
 * cannot, so it holds the union of the password plugins' options, as upstream's sample does.
 */
import {
  boolOpt,
  floatOpt,
  fromNamespace,
  intListOpt,
  intOpt,
  listOpt,
  strOpt,
  type UnplacedOption,
} from '../option-types';

const ORIGIN = 'keystoneauth1';

const authCommonOptions = {
  auth_type: strOpt('Authentication type to load', { deprecatedNames: [{ name: 'auth_plugin' }] }),
  auth_section: strOpt('Config Section from which to load plugin specific options'),
};

const passwordPluginOptions = {
  auth_url: strOpt('Authentication URL'),
  system_scope: strOpt('Scope for system operations'),
  domain_id: strOpt('Domain ID to scope to'),
  domain_name: strOpt('Domain name to scope to'),
  project_id: strOpt('Project ID to scope to', { deprecatedNames: [{ name: 'tenant_id' }] }),
  project_name: strOpt('Project name to scope to', { deprecatedNames: [{ name: 'tenant_name' }] }),
  project_domain_id: strOpt('Domain ID containing project'),
  project_domain_name: strOpt('Domain name containing project'),
  trust_id: strOpt('Trust ID'),
  default_domain_id: strOpt(
    'Optional domain ID to use with v3 and v2 parameters. It will be used for both the user and project ' +
      'domain in v3 and ignored in v2 authentication.',
  ),
  default_domain_name: strOpt(
    'Optional domain name to use with v3 API and v2 parameters. It will be used for both the user and ' +
      'project domain in v3 and ignored in v2 authentication.',
  ),
  user_id: strOpt('User id'),
  username: strOpt('Username', { deprecatedNames: [{ name: 'user_name' }] }),
  user_domain_id: strOpt("User's domain id"),
  user_domain_name: strOpt("User's domain name"),
  password: strOpt("User's password", { secret: true }),
};

const sessionOptions = {
  cafile: strOpt('PEM encoded Certificate Authority to use when verifying HTTPs connections.'),
  certfile: strOpt('PEM encoded client certificate cert file'),
  keyfile: strOpt('PEM encoded client certificate key file'),
  insecure: boolOpt('Verify HTTPS connections.', false),
  timeout: intOpt('Timeout value for http requests'),
  collect_timing: boolOpt('Collect per-API call timing information.', false),
  split_loggers: boolOpt('Log requests to multiple loggers.', false),
};

function adapterOptions(serviceType: string) {
  return {
    service_type: strOpt('The default service_type for endpoint URL discovery.', { default: serviceType }),
    service_name: strOpt('The default service_name for endpoint URL discovery.'),
    valid_interfaces: listOpt('List of interfaces, in order of preference, for endpoint URL.', {
      default: ['internal', 'public'],
    }),
    region_name: strOpt('The default region_name for endpoint URL discovery.'),
    endpoint_override: strOpt(
      'Always use this endpoint URL for requests for this client. NOTE: The unversioned endpoint should be ' +
        'specified here; to request a particular API version, use the `version`, `min-version`, and/or ' +
        '`max-version` options.',
    ),
    version: strOpt(
      'Minimum Major API version within a given Major API version for endpoint URL discovery. Mutually ' +
        'exclusive with min_version and max_version',
    ),
    min_version: strOpt(
      'The minimum major version of a given API, intended to be used as the lower bound of a range with ' +
        'max_version. Mutually exclusive with version. If min_version is given with no max_version it is as ' +
        'if max version is "latest".',
    ),
    max_version: strOpt(
      'The maximum major version of a given API, intended to be used as the upper bound of a range with ' +
        'min_version. Mutually exclusive with version.',
    ),
    connect_retries: intOpt('The maximum number of retries that should be attempted for connection errors.'),
    connect_retry_delay: floatOpt(
      'Delay (in seconds) between two retries for connection errors. If not set, exponential retry starting ' +
        'with 0.5 seconds up to a maximum of 60 seconds is used.',
    ),
    status_code_retries: intOpt(
      'The maximum number of retries that should be attempted for retriable HTTP status codes.',
    ),
    status_code_retry_delay: floatOpt(
      'Delay (in seconds) between two retries for retriable status codes. If not set, exponential retry ' +
        'starting with 0.5 seconds up to a maximum of 60 seconds is used.',
    ),
    retriable_status_codes: intListOpt(
      'List of retriable HTTP status codes that should be retried. If not set default to [503]',
    ),
    interface: strOpt('The default interface for endpoint URL discovery.', {
      deprecatedForRemoval:
        'Using valid-interfaces is preferrable because it is capable of accepting a list of ' + 'possible interfaces.',
    }),
  };
}

/** Upstream lists these options sorted by name (`esi_leap/conf/ironic.py: list_opts`). */
function sortedByName<T extends Record<string, UnplacedOption<unknown>>>(options: T): T {
  return Object.fromEntries(Object.entries(options).sort(([a], [b]) => a.localeCompare(b))) as T;
}

/** The options of a service client section ([ironic], [keystone]). */
export function keystoneauthClientOptions(serviceType: string) {
  return fromNamespace(
    ORIGIN,
    sortedByName({ ...authCommonOptions, ...passwordPluginOptions, ...sessionOptions, ...adapterOptions(serviceType) }),
  );
}

/** The auth options keystonemiddleware registers in [keystone_authtoken] for its service user. */
export const keystoneauthAuthOptions = fromNamespace(ORIGIN, { ...authCommonOptions, ...passwordPluginOptions });

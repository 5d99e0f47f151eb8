/**
 * Options accepted for compatibility that act on nothing here. They steer machinery the Python
 * service has and this one does not (oslo.log handlers, eventlet, kombu and oslo.messaging's RPC
 * pools, SQLAlchemy's pool and reconnect loop, memcache, pecan, keystoneauth features no call
 * uses), so an upstream esi-leap.conf loads unchanged, and start-up names those it sets in one
 * warning. Found by reading where each option is used; when code starts reading one, remove it here.
 */
import type { SectionName } from './options';

/** Option names written as a whitespace-separated list. */
const names = (text: string): readonly string[] => text.trim().split(/\s+/);

const OSLO_LOG_HANDLERS = names(`
  log_config_append log_date_format log_file log_dir watch_log_file use_syslog use_journal syslog_log_facility
  use_stderr log_color log_rotate_interval log_rotate_interval_type max_logfile_count max_logfile_size_mb
  log_rotation_type logging_context_format_string logging_default_format_string logging_debug_format_suffix
  logging_exception_prefix logging_user_identity_format default_log_levels publish_errors instance_format
  instance_uuid_format rate_limit_interval rate_limit_burst rate_limit_except_level fatal_deprecations`);

/** keystoneauth options no client here acts on (the TLS options are honoured, so they are not listed). */
const KEYSTONEAUTH_UNUSED = names(
  'trust_id collect_timing split_loggers service_name version min_version max_version interface',
);

export const NO_EFFECT_OPTIONS: Readonly<Partial<Record<SectionName, readonly string[]>>> = {
  DEFAULT: [
    ...OSLO_LOG_HANDLERS,
    ...names(
      'rpc_response_timeout executor_thread_pool_size backdoor_port backdoor_socket log_options run_external_periodic_tasks',
    ),
  ],
  api: names('api_workers'),
  database: names(`
    sqlite_synchronous backend slave_connection mysql_sql_mode mysql_enable_ndb
    connection_recycle_time max_overflow connection_debug connection_trace pool_timeout use_db_reconnect
    db_retry_interval db_inc_retry_interval db_max_retry_interval db_max_retries connection_parameters use_tpool`),
  ironic: KEYSTONEAUTH_UNUSED,
  // Project look-ups are single calls to the catalog's identity endpoint.
  keystone: [
    ...KEYSTONEAUTH_UNUSED,
    ...names(
      'service_type connect_retries connect_retry_delay status_code_retries status_code_retry_delay retriable_status_codes',
    ),
  ],
  // Validated tokens are cached in the process, never in memcache.
  keystone_authtoken: names(`
    auth_version interface delay_auth_decision http_request_max_retries cache region_name include_service_catalog
    enforce_token_bind service_token_roles service_token_roles_required service_type trust_id memcached_servers
    memcache_security_strategy memcache_secret_key memcache_pool_dead_retry memcache_pool_maxsize
    memcache_pool_socket_timeout memcache_pool_unused_timeout memcache_pool_conn_get_timeout
    memcache_use_advanced_pool memcache_sasl_enabled memcache_username memcache_password`),
  oslo_concurrency: names('disable_process_locking lock_path'),
  oslo_messaging_rabbit: names(`
    rpc_conn_pool_size conn_pool_min_size conn_pool_ttl ssl_version ssl_enforce_fips_mode heartbeat_in_pthread
    kombu_reconnect_delay kombu_reconnect_splay kombu_compression kombu_missing_consumer_retry_timeout
    kombu_failover_strategy rabbit_login_method rabbit_retry_backoff rabbit_interval_max
    rabbit_transient_quorum_queue rabbit_transient_queues_ttl rabbit_qos_prefetch_count heartbeat_rate
    direct_mandatory_flag enable_cancel_on_failover use_queue_manager hostname processname rabbit_stream_fanout`),
  // [api] max_request_body_size is the limit the API applies.
  oslo_middleware: names('max_request_body_size enable_proxy_headers_parsing http_basic_auth_user_file'),
  oslo_policy: names(`
    enforce_scope enforce_new_defaults remote_content_type remote_ssl_verify_server_crt remote_ssl_ca_crt_file
    remote_ssl_client_crt_file remote_ssl_client_key_file`),
  pecan: names('root modules debug'),
  // Node negotiates TLS 1.2 or 1.3 and refuses the older protocols this option could ask for.
  ssl: names('version'),
};

/** How the sample file and the option reference mark them. */
export const NO_EFFECT_MARK = 'Accepted for compatibility, no effect.';

export function hasNoEffect(section: string, name: string): boolean {
  return (NO_EFFECT_OPTIONS[section as SectionName] ?? []).includes(name);
}

/** The one start-up warning naming the options set that have no effect, or null when there are none. */
export function noEffectWarning(set: readonly { section: string; name: string }[]): string | null {
  const named = [...new Set(set.filter((o) => hasNoEffect(o.section, o.name)).map((o) => `[${o.section}] ${o.name}`))];
  if (named.length === 0) return null;
  return `options set that have no effect here, accepted for compatibility only: ${named.join(', ')}`;
}

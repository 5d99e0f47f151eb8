import { ADDITION_ORIGIN, OptionDef } from './option-types';
import { OPTION_LIST, OPTIONS } from './options';

const option = (section: keyof typeof OPTIONS, name: string): OptionDef<unknown> => {
  const def = (OPTIONS[section] as Record<string, OptionDef<unknown>>)[name];
  if (def === undefined) throw new Error(`no option [${section}] ${name}`);
  return def;
};

describe('the option table', () => {
  it("has esi-leap's own options with upstream's types and defaults", () => {
    const expected: [keyof typeof OPTIONS, string, string, unknown][] = [
      ['api', 'host_ip', 'host', '0.0.0.0'],
      ['api', 'port', 'port', 7777],
      ['api', 'max_limit', 'int', 1000],
      ['api', 'public_endpoint', 'str', null],
      ['api', 'api_workers', 'int', null],
      ['api', 'enable_ssl_api', 'bool', false],
      ['api', 'default_resource_type', 'str', 'ironic_node'],
      ['api', 'max_lease_time', 'int', 21],
      ['api', 'default_lease_time', 'int', 7],
      ['dummy_node', 'dummy_node_dir', 'str', '/tmp/nodes'],
      ['notification', 'notification_level', 'str', 'info'],
      ['notification', 'versioned_notifications_topics', 'list', ['esi_leap_versioned_notifications']],
      ['pecan', 'root', 'str', 'esi_leap.api.controllers.root.RootController'],
      ['pecan', 'modules', 'list', ['esi_leap.api']],
      ['pecan', 'debug', 'bool', false],
      ['pecan', 'auth_enable', 'bool', true],
      ['serialconsoleproxy', 'host_address', 'host', '0.0.0.0'],
      ['serialconsoleproxy', 'port', 'port', 6083],
      ['serialconsoleproxy', 'timeout', 'int', -1],
      ['serialconsoleproxy', 'token_ttl', 'int', 600],
    ];
    for (const [section, name, kind, value] of expected) {
      expect([section, name, option(section, name).kind, option(section, name).default]).toEqual([
        section,
        name,
        kind,
        value,
      ]);
    }
    expect(option('notification', 'notification_level').choices).toEqual([
      'debug',
      'info',
      'warning',
      'error',
      'critical',
    ]);
  });

  it('registers the keystoneauth options in [ironic] and [keystone]', () => {
    const names = [
      'cafile',
      'certfile',
      'keyfile',
      'insecure',
      'timeout',
      'collect_timing',
      'split_loggers',
      'auth_type',
      'auth_section',
      'auth_url',
      'username',
      'user_id',
      'user_domain_name',
      'user_domain_id',
      'password',
      'project_name',
      'project_id',
      'project_domain_name',
      'project_domain_id',
      'domain_name',
      'domain_id',
      'trust_id',
      'system_scope',
      'default_domain_id',
      'default_domain_name',
      'service_type',
      'service_name',
      'valid_interfaces',
      'region_name',
      'endpoint_override',
      'version',
      'min_version',
      'max_version',
      'connect_retries',
      'connect_retry_delay',
      'status_code_retries',
      'status_code_retry_delay',
      'retriable_status_codes',
      'interface',
    ];
    const outbound = ['call_timeout', 'max_connections'];
    const additions: Record<string, string[]> = { ironic: ['node_list_cache_ttl', ...outbound], keystone: outbound };
    for (const section of ['ironic', 'keystone'] as const) {
      expect(Object.keys(OPTIONS[section]).sort()).toEqual([...names, ...additions[section]].sort());
      expect(option(section, 'valid_interfaces').default).toEqual(['internal', 'public']);
      expect(option(section, 'password').secret).toBe(true);
    }
    expect(option('ironic', 'service_type').default).toBe('baremetal');
    expect(option('keystone', 'service_type').default).toBe('identity');
  });

  it('bounds every outbound call by default: Keystone 10 s, Ironic 30 s, with a small connection pool', () => {
    expect(option('keystone_authtoken', 'call_timeout').default).toBe(10);
    expect(option('keystone', 'call_timeout').default).toBe(10);
    expect(option('ironic', 'call_timeout').default).toBe(30);
    expect(option('keystone_authtoken', 'max_connections').default).toBe(4);
    expect(option('keystone', 'max_connections').default).toBe(4);
    expect(option('ironic', 'max_connections').default).toBe(8);
  });

  it('has the library options esi-leap relies on, with their upstream defaults', () => {
    const expected: [keyof typeof OPTIONS, string, unknown][] = [
      ['database', 'connection', null],
      ['database', 'backend', 'sqlalchemy'],
      ['database', 'max_pool_size', 5],
      ['database', 'max_overflow', 50],
      ['database', 'pool_timeout', null],
      ['database', 'connection_recycle_time', 3600],
      ['database', 'max_retries', 10],
      ['database', 'retry_interval', 10],
      ['database', 'mysql_sql_mode', 'TRADITIONAL'],
      ['DEFAULT', 'transport_url', 'rabbit://'],
      ['DEFAULT', 'control_exchange', 'openstack'],
      ['DEFAULT', 'rpc_response_timeout', 60],
      ['DEFAULT', 'debug', false],
      ['DEFAULT', 'log_dir', null],
      ['DEFAULT', 'log_file', null],
      ['DEFAULT', 'use_stderr', false],
      ['DEFAULT', 'graceful_shutdown_timeout', 60],
      ['oslo_messaging_notifications', 'driver', []],
      ['oslo_messaging_notifications', 'transport_url', null],
      ['oslo_messaging_notifications', 'topics', ['notifications']],
      ['oslo_messaging_notifications', 'retry', -1],
      ['oslo_messaging_rabbit', 'amqp_durable_queues', false],
      ['oslo_messaging_rabbit', 'amqp_auto_delete', false],
      ['oslo_messaging_rabbit', 'rabbit_ha_queues', false],
      ['oslo_messaging_rabbit', 'rabbit_quorum_queue', false],
      ['oslo_messaging_rabbit', 'ssl', false],
      ['oslo_messaging_rabbit', 'heartbeat_timeout_threshold', 60],
      ['oslo_messaging_rabbit', 'heartbeat_rate', 3],
      ['oslo_messaging_rabbit', 'kombu_compression', null],
      ['oslo_policy', 'policy_file', 'policy.yaml'],
      ['oslo_policy', 'enforce_scope', true],
      ['oslo_policy', 'enforce_new_defaults', true],
      ['oslo_policy', 'policy_dirs', ['policy.d']],
      ['keystone_authtoken', 'www_authenticate_uri', null],
      ['keystone_authtoken', 'auth_uri', null],
      ['keystone_authtoken', 'auth_url', null],
      ['keystone_authtoken', 'auth_type', null],
      ['keystone_authtoken', 'token_cache_time', 300],
      ['keystone_authtoken', 'memcached_servers', null],
      ['keystone_authtoken', 'http_connect_timeout', null],
      ['keystone_authtoken', 'http_request_max_retries', 3],
      ['keystone_authtoken', 'delay_auth_decision', false],
      ['keystone_authtoken', 'insecure', false],
      ['keystone_authtoken', 'interface', 'internal'],
      ['keystone_authtoken', 'service_token_roles_required', false],
      ['keystone_authtoken', 'user_domain_name', null],
      ['keystone_authtoken', 'project_domain_id', null],
    ];
    for (const [section, name, value] of expected) {
      expect([section, name, option(section, name).default]).toEqual([section, name, value]);
    }
    expect(option('oslo_messaging_notifications', 'driver').kind).toBe('multistr');
    expect(option('oslo_policy', 'policy_dirs').kind).toBe('multistr');
  });

  it('has our additions, marked as such', () => {
    const additions = OPTION_LIST.filter((o) => o.def.origin === ADDITION_ORIGIN).map(
      (o) => `[${o.section}] ${o.name}`,
    );
    expect(additions).toEqual(
      expect.arrayContaining([
        '[DEFAULT] log_level',
        '[database] auto_upgrade',
        '[ironic] node_list_cache_ttl',
        '[manager] sweep_interval',
        '[manager] max_attempts',
        '[manager] retry_backoff_base',
        '[manager] retry_backoff_max',
        '[manager] batch_size',
        '[noauth] project_id',
        '[noauth] project_name',
        '[noauth] roles',
        '[noauth] projects',
        '[serialconsoleproxy] public_url',
        '[serialconsoleproxy] allowed_origins',
      ]),
    );
    for (const { def } of OPTION_LIST.filter((o) => o.def.origin === ADDITION_ORIGIN)) {
      expect(def.help).toMatch(/^esi-leap-ts addition\. /);
    }
    expect(option('noauth', 'project_id').default).toBe('00000000000000000000000000000001');
    expect(option('manager', 'sweep_interval')).toMatchObject({ default: 10, min: 1 });
    expect(option('manager', 'max_attempts')).toMatchObject({ default: 5, min: 1 });
  });

  it('marks passwords and connection strings as secret', () => {
    const secrets = OPTION_LIST.filter((o) => o.def.secret).map((o) => `[${o.section}] ${o.name}`);
    for (const expected of [
      '[DEFAULT] transport_url',
      '[database] connection',
      '[ironic] password',
      '[keystone] password',
      '[keystone_authtoken] password',
      '[keystone_authtoken] memcache_secret_key',
      '[oslo_messaging_notifications] transport_url',
    ]) {
      expect(secrets).toContain(expected);
    }
  });

  it('gives every option help, and a sample default to every computed default', () => {
    for (const { section, name, def } of OPTION_LIST) {
      expect([section, name, def.help.length > 0]).toEqual([section, name, true]);
      if (typeof def.default === 'function') expect([section, name, def.sampleDefault]).not.toContain(undefined);
    }
  });

  it('lists DEFAULT first, then the sections by name', () => {
    const sections = [...new Set(OPTION_LIST.map((o) => o.section))];
    expect(sections[0]).toBe('DEFAULT');
    expect(sections.slice(1)).toEqual([...sections.slice(1)].sort());
  });
});

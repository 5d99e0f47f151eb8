import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, LoadConfigOptions, loadConfig } from './config-loader';

let root: string;
let home: string;
let etc: string;
let cwd: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'esi-leap-config-'));
  home = path.join(root, 'home');
  etc = path.join(root, 'etc');
  cwd = path.join(root, 'work');
  for (const dir of [home, etc, cwd]) mkdirSync(dir);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Writes a file under the temp root and returns its absolute path. */
function write(relative: string, ...lines: string[]): string {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const load = (options: LoadConfigOptions = {}) => loadConfig({ homeDir: home, etcDir: etc, cwd, env: {}, ...options });

function loadError(options: LoadConfigOptions): ConfigError {
  try {
    load(options);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  describe('embedded mode (no file at all)', () => {
    it('uses the local development defaults, with absolute paths under cwd', () => {
      const loaded = load();
      expect(loaded.embedded).toBe(true);
      expect(loaded.files).toEqual([]);
      expect(loaded.config.api.host_ip).toBe('127.0.0.1');
      expect(loaded.config.api.default_resource_type).toBe('dummy_node');
      expect(loaded.config.pecan.auth_enable).toBe(false);
      expect(loaded.config.database.connection).toBe(`sqlite:///${cwd}/data/esi-leap.sqlite`);
      expect(loaded.config.database.auto_upgrade).toBe(true);
      expect(loaded.config.dummy_node.dummy_node_dir).toBe(path.join(cwd, 'data', 'nodes'));
    });

    it('still honours environment overrides', () => {
      const loaded = load({ env: { ESI_LEAP__API__PORT: '9999', ESI_LEAP__PECAN__AUTH_ENABLE: 'true' } });
      expect(loaded.embedded).toBe(true);
      expect(loaded.config.api.port).toBe(9999);
      expect(loaded.config.pecan.auth_enable).toBe(true);
    });

    it('applies when a config dir is given but holds no .conf file', () => {
      mkdirSync(path.join(root, 'empty.d'));
      expect(load({ configDirs: [path.join(root, 'empty.d')] }).embedded).toBe(true);
    });
  });

  describe('file mode', () => {
    it("keeps upstream's defaults as soon as one file is read", () => {
      const file = write('etc/esi-leap/esi-leap.conf', '[DEFAULT]');
      const loaded = load();
      expect(loaded.embedded).toBe(false);
      expect(loaded.files).toEqual([file]);
      const { api, pecan, database, dummy_node } = loaded.config;
      expect([api.host_ip, api.port, api.default_resource_type]).toEqual(['0.0.0.0', 7777, 'ironic_node']);
      expect([api.max_lease_time, api.default_lease_time, api.api_workers]).toEqual([21, 7, null]);
      expect(pecan.auth_enable).toBe(true);
      expect([database.connection, database.auto_upgrade]).toEqual([null, false]);
      expect(dummy_node.dummy_node_dir).toBe('/tmp/nodes');
    });

    it('computes the defaults that depend on the machine', () => {
      write('etc/esi-leap.conf', '[DEFAULT]');
      const loaded = load({ env: { OSLO_LOCK_PATH: '/var/lock/esi' } });
      expect(loaded.config.DEFAULT.host).toBe(os.hostname());
      expect(loaded.config.oslo_concurrency.lock_path).toBe('/var/lock/esi');
      expect(load().config.oslo_concurrency.lock_path).toBeNull();
    });

    it('reads the keystoneauth sections with their service defaults', () => {
      const file = write('a.conf', '[ironic]', 'auth_type = password', 'password = s3cret', 'region_name = R1');
      const { ironic, keystone } = load({ configFiles: [file] }).config;
      expect([ironic.service_type, keystone.service_type]).toEqual(['baremetal', 'identity']);
      expect(ironic.valid_interfaces).toEqual(['internal', 'public']);
      expect([ironic.auth_type, ironic.password, ironic.region_name]).toEqual(['password', 's3cret', 'R1']);
    });
  });

  describe('keystoneauth auth_section', () => {
    it('reads the auth options of a client section from the section it names', () => {
      const file = write(
        'a.conf',
        '[ironic]',
        'auth_section = service_user',
        'username = ignored',
        'region_name = R1',
        '[keystone]',
        'auth_section = keystone_authtoken',
        '[keystone_authtoken]',
        'auth_type = v3password',
        'username = ks',
        '[service_user]',
        'auth_type = password',
        'auth_url = http://keystone:5000/v3',
        'user_name = esi',
        'password = pw',
        'tenant_name = service',
        'stray = 1',
      );
      const loaded = load({ configFiles: [file], env: { ESI_LEAP__IRONIC__PASSWORD: 'from-env' } });
      const { ironic, keystone } = loaded.config;
      expect([ironic.auth_type, ironic.auth_url, ironic.username, ironic.project_name]).toEqual([
        'password',
        'http://keystone:5000/v3',
        'esi',
        'service',
      ]);
      expect(ironic.password).toBe('from-env');
      expect(ironic.region_name).toBe('R1');
      expect([keystone.auth_type, keystone.username]).toEqual(['v3password', 'ks']);
      expect(loaded.warnings).toContain(`unknown option [service_user] stray in ${file} ignored`);
      expect(loaded.warnings.filter((w) => w.startsWith('unknown'))).toHaveLength(1);
    });
  });

  describe('default search path', () => {
    const candidates = [
      'home/.esi-leap/esi-leap.conf',
      'home/esi-leap.conf',
      'etc/esi-leap/esi-leap.conf',
      'etc/esi-leap.conf',
    ];

    it.each(candidates.map((c, i) => [c, i]))('reads %s when it is the first that exists', (_name, index) => {
      const written = candidates
        .slice(index as number)
        .map((c) => write(c, '[api]', `port = ${1000 + candidates.indexOf(c)}`));
      const loaded = load();
      expect(loaded.files).toEqual([written[0]]);
      expect(loaded.config.api.port).toBe(1000 + (index as number));
    });

    it('reads the first existing esi-leap.conf.d, its *.conf files sorted, after the file', () => {
      const file = write('etc/esi-leap/esi-leap.conf', '[api]', 'port = 1', 'max_limit = 1');
      write('etc/esi-leap/esi-leap.conf.d/20-b.conf', '[api]', 'port = 3');
      write('etc/esi-leap/esi-leap.conf.d/10-a.conf', '[api]', 'port = 2', 'max_limit = 2');
      write('etc/esi-leap/esi-leap.conf.d/.hidden.conf', '[api]', 'port = 9');
      write('etc/esi-leap/esi-leap.conf.d/notes.txt', 'not ini');
      write('etc/esi-leap.conf.d/99.conf', '[api]', 'port = 8');
      const loaded = load();
      expect(loaded.files).toEqual([
        file,
        path.join(etc, 'esi-leap/esi-leap.conf.d/10-a.conf'),
        path.join(etc, 'esi-leap/esi-leap.conf.d/20-b.conf'),
      ]);
      expect([loaded.config.api.port, loaded.config.api.max_limit]).toEqual([3, 2]);
    });

    it('keeps the default conf.d when only --config-file is given, as oslo.config does', () => {
      const file = write('custom.conf', '[api]', 'port = 1');
      write('home/esi-leap.conf.d/a.conf', '[api]', 'port = 2');
      write('home/esi-leap.conf', '[api]', 'port = 3');
      const loaded = load({ configFiles: [file] });
      expect(loaded.files).toEqual([file, path.join(home, 'esi-leap.conf.d/a.conf')]);
      expect(loaded.config.api.port).toBe(2);
    });
  });

  describe('explicit files and directories', () => {
    it('applies files in order, later ones overriding earlier ones, then directories', () => {
      const a = write('a.conf', '[api]', 'port = 1', 'max_limit = 1', 'max_lease_time = 1');
      const b = write('b.conf', '[api]', 'port = 2', 'max_limit = 2');
      const dirFile = write('conf.d/x.conf', '[api]', 'port = 3');
      const loaded = load({ configFiles: [a, b], configDirs: [path.join(root, 'conf.d')] });
      expect(loaded.files).toEqual([a, b, dirFile]);
      expect([loaded.config.api.port, loaded.config.api.max_limit, loaded.config.api.max_lease_time]).toEqual([
        3, 2, 1,
      ]);
    });

    it('lets the environment override files and directories', () => {
      const a = write('a.conf', '[api]', 'port = 1');
      write('conf.d/x.conf', '[api]', 'port = 3');
      const loaded = load({
        configFiles: [a],
        configDirs: [path.join(root, 'conf.d')],
        env: { ESI_LEAP__API__PORT: '4' },
      });
      expect(loaded.config.api.port).toBe(4);
    });

    it('resolves relative paths against cwd and ~ against the home directory', () => {
      const relative = write('work/rel.conf', '[api]', 'port = 5');
      const tilde = write('home/t.conf', '[api]', 'max_limit = 6');
      const loaded = load({ configFiles: ['rel.conf', '~/t.conf'] });
      expect(loaded.files).toEqual([relative, tilde]);
      expect([loaded.config.api.port, loaded.config.api.max_limit]).toEqual([5, 6]);
    });

    it('ignores the default search when files are given', () => {
      write('etc/esi-leap.conf', '[api]', 'max_limit = 9');
      const file = write('a.conf', '[api]', 'port = 1');
      expect(load({ configFiles: [file] }).config.api.max_limit).toBe(1000);
    });

    it('fails on a missing --config-file or --config-dir', () => {
      expect(loadError({ configFiles: [path.join(root, 'nope.conf')] }).message).toBe(
        `config file ${path.join(root, 'nope.conf')} not found`,
      );
      expect(loadError({ configDirs: [path.join(root, 'nope.d')] }).message).toBe(
        `config directory ${path.join(root, 'nope.d')} not found`,
      );
    });

    it('treats empty lists like absent options (what the CLI passes by default)', () => {
      const file = write('etc/esi-leap.conf', '[DEFAULT]');
      expect(load({ configFiles: [], configDirs: [] }).files).toEqual([file]);
    });
  });

  describe('repeated keys', () => {
    it('gives a multi-valued option every occurrence across files, and a plain one the last', () => {
      const a = write('a.conf', '[oslo_messaging_notifications]', 'driver = messagingv2', 'driver = log', 'topics = a');
      const b = write('b.conf', '[oslo_messaging_notifications]', 'driver = noop', 'topics = b', 'topics = c');
      const { oslo_messaging_notifications: n } = load({ configFiles: [a, b] }).config;
      expect(n.driver).toEqual(['messagingv2', 'log', 'noop']);
      expect(n.topics).toEqual(['c']);
    });
  });

  describe('sections and names', () => {
    it('matches section names in any case except DEFAULT', () => {
      const file = write('a.conf', '[API]', 'port = 1', '[default]', 'host = h');
      const loaded = load({ configFiles: [file] });
      expect(loaded.config.api.port).toBe(1);
      expect(loaded.config.DEFAULT.host).toBe(os.hostname());
      expect(loaded.warnings).toEqual([`unknown section [default] in ${file} ignored`]);
    });

    it('warns about unknown options and sections and ignores them', () => {
      const file = write(
        'a.conf',
        '[api]',
        'foo = 1',
        'api_endpoint = x',
        '[mystery]',
        'a = b',
        '[ironic]',
        'api_endpoint = y',
      );
      const loaded = load({ configFiles: [file] });
      expect(loaded.warnings).toEqual([
        `unknown option [api] foo in ${file} ignored`,
        `unknown option [api] api_endpoint in ${file} ignored`,
        `unknown section [mystery] in ${file} ignored`,
        `unknown option [ironic] api_endpoint in ${file} ignored`,
      ]);
    });

    it('reads deprecated spellings, newest file first, and says so', () => {
      const a = write('a.conf', '[database]', 'connection = sqlite:///a');
      const b = write(
        'b.conf',
        '[DEFAULT]',
        'sql_connection = sqlite:///b',
        '[keystone_authtoken]',
        'memcache_servers = m:1',
      );
      const loaded = load({ configFiles: [a, b] });
      expect(loaded.config.database.connection).toBe('sqlite:///b');
      expect(loaded.config.keystone_authtoken.memcached_servers).toEqual(['m:1']);
      expect(loaded.warnings).toEqual([
        `deprecated option [DEFAULT] sql_connection in ${b}: use [database] connection`,
        `deprecated option [keystone_authtoken] memcache_servers in ${b}: use [keystone_authtoken] memcached_servers`,
        'options set that have no effect here, accepted for compatibility only: [keystone_authtoken] memcached_servers',
      ]);
    });

    it('prefers the current name over a deprecated one in the same file', () => {
      const file = write('a.conf', '[database]', 'connection = sqlite:///new', 'sql_connection = sqlite:///old');
      expect(load({ configFiles: [file] }).config.database.connection).toBe('sqlite:///new');
    });
  });

  describe('values', () => {
    it('reports a bad value with section, option and reason on one line, and where it came from', () => {
      const file = write('a.conf', '[api]', '', 'port = abc');
      const err = loadError({ configFiles: [file] });
      expect(err.message).toBe("[api] port: invalid value 'abc': expected an integer between 0 and 65535");
      expect(err.source).toBe(`${file}:3`);
    });

    it('enforces choices and minimums', () => {
      const file = write('a.conf', '[notification]', 'notification_level = loud');
      expect(loadError({ configFiles: [file] }).message).toBe(
        "[notification] notification_level: invalid value 'loud': expected one of: debug, info, warning, error, critical",
      );
      const zero = write('b.conf', '[manager]', 'sweep_interval = 0');
      expect(loadError({ configFiles: [zero] }).message).toBe(
        "[manager] sweep_interval: invalid value '0': expected an integer >= 1",
      );
    });

    it('rejects an empty notification_level, as upstream does', () => {
      const file = write('a.conf', '[notification]', 'notification_level =');
      expect(loadError({ configFiles: [file] }).message).toMatch(
        /^\[notification\] notification_level: invalid value ''/,
      );
    });

    it('turns a parse error into a ConfigError naming file and line', () => {
      const file = write('a.conf', '[api]', 'port = 1', '[broken');
      const err = loadError({ configFiles: [file] });
      expect(err.message).toBe(`${file}:3: Invalid section (must end with ]): "[broken"`);
      expect(err.source).toBe(`${file}:3`);
    });

    it('treats an empty number as unset: the default applies', () => {
      const file = write('a.conf', '[api]', 'port =', 'api_workers =');
      const { api } = load({ configFiles: [file] }).config;
      expect([api.port, api.api_workers]).toEqual([7777, null]);
    });

    it('keeps multi-line values and values with ; and #', () => {
      const file = write(
        'a.conf',
        '[database]',
        'connection = mysql+pymysql://u:pa;ss#1@db/esi_leap',
        '[DEFAULT]',
        'instance_format = a',
        '  b',
      );
      const { config } = load({ configFiles: [file] });
      expect(config.database.connection).toBe('mysql+pymysql://u:pa;ss#1@db/esi_leap');
      expect(config.DEFAULT.instance_format).toBe('a\nb');
    });

    it('lets debug = true force the debug log level', () => {
      const file = write('a.conf', '[DEFAULT]', 'debug = true', 'log_level = error');
      expect(load({ configFiles: [file] }).config.DEFAULT.log_level).toBe('debug');
      const quiet = write('b.conf', '[DEFAULT]', 'log_level = error');
      expect(load({ configFiles: [quiet] }).config.DEFAULT.log_level).toBe('error');
    });
  });

  describe('environment overrides', () => {
    it('match section and option in any case and use the file syntax of the option', () => {
      const loaded = load({
        env: {
          esi_leap__api__port: '1', // not our prefix: ignored
          ESI_LEAP__Api__Max_Limit: '5',
          ESI_LEAP__NOAUTH__ROLES: 'admin, member',
          ESI_LEAP__DEFAULT__DEBUG: 'yes',
          ESI_LEAP__OSLO_POLICY__POLICY_DIRS: 'a,b',
        },
      });
      expect(loaded.config.api.port).toBe(7777);
      expect(loaded.config.api.max_limit).toBe(5);
      expect(loaded.config.noauth.roles).toEqual(['admin', 'member']);
      expect(loaded.config.DEFAULT.debug).toBe(true);
      expect(loaded.config.oslo_policy.policy_dirs).toEqual(['a,b']);
    });

    it("also accept oslo.config's OS_<SECTION>__<OPTION> spelling, below ESI_LEAP__ ones", () => {
      const file = write('a.conf', '[api]', 'port = 1', 'max_limit = 1');
      const loaded = load({
        configFiles: [file],
        env: {
          OS_API__PORT: '2',
          OS_API__MAX_LIMIT: '2',
          ESI_LEAP__API__MAX_LIMIT: '3',
          OS_Api__Max_Lease_Time: '9',
          OS_NOT__OURS: 'x',
        },
      });
      expect([loaded.config.api.port, loaded.config.api.max_limit, loaded.config.api.max_lease_time]).toEqual([
        2, 3, 21,
      ]);
      // OS_NOT__OURS is not reported: OS_ names are shared with other OpenStack tools.
      expect(loaded.warnings).toEqual([]);
    });

    it('warn about variables naming no option', () => {
      const loaded = load({ env: { ESI_LEAP__API__NOPE: '1', ESI_LEAP__NOPE__PORT: '1', ESI_LEAP__API: '1' } });
      expect(loaded.warnings).toEqual([
        'unknown environment variable ESI_LEAP__API ignored',
        'unknown environment variable ESI_LEAP__API__NOPE ignored',
        'unknown environment variable ESI_LEAP__NOPE__PORT ignored',
      ]);
    });

    it('fail like a file value, naming the variable as the source', () => {
      const err = loadError({ env: { ESI_LEAP__PECAN__AUTH_ENABLE: 'maybe' } });
      expect(err.message).toBe(
        "[pecan] auth_enable: invalid value 'maybe': expected a boolean (true/false, yes/no, on/off, 1/0)",
      );
      expect(err.source).toBe('environment variable ESI_LEAP__PECAN__AUTH_ENABLE');
    });
  });

  describe('the result', () => {
    it('is deeply frozen', () => {
      const loaded = load({ env: { ESI_LEAP__NOAUTH__ROLES: 'a' } });
      expect(Object.isFrozen(loaded)).toBe(true);
      expect(Object.isFrozen(loaded.config)).toBe(true);
      expect(Object.isFrozen(loaded.config.api)).toBe(true);
      expect(Object.isFrozen(loaded.config.noauth.roles)).toBe(true);
      expect(Object.isFrozen(loaded.warnings)).toBe(true);
      expect(() => {
        (loaded.config.api as { port: number }).port = 1;
      }).toThrow(TypeError);
    });
  });
});

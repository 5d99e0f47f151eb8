import * as path from 'node:path';
import { ConfigError } from '../config/config-loader';
import { parseConnectionUrl, redactConnectionUrl, requireConnection, SQLITE_BUSY_TIMEOUT_MS } from './connection-url';

describe('parseConnectionUrl', () => {
  describe('MySQL/MariaDB forms', () => {
    it('maps mysql+pymysql to mysql2 with UTC, string datetimes, utf8mb4 and the pool size', () => {
      const parsed = parseConnectionUrl('mysql+pymysql://esi_leap:secret@db.example:3307/esi_leap?charset=utf8', {
        maxPoolSize: 5,
      });
      expect(parsed.options).toEqual({
        type: 'mysql',
        connectorPackage: 'mysql2',
        host: 'db.example',
        port: 3307,
        socketPath: undefined,
        username: 'esi_leap',
        password: 'secret',
        database: 'esi_leap',
        timezone: 'Z',
        dateStrings: true,
        charset: 'utf8mb4',
        poolSize: 5,
      });
      expect(parsed.ignoredParameters).toEqual([]);
      expect(parsed.redacted).toBe('mysql+pymysql://esi_leap:***@db.example:3307/esi_leap?charset=utf8');
    });

    it.each(['mysql', 'mysql+pymysql', 'mysql+mysqldb', 'MySQL+PyMySQL'])(
      'accepts %s://, default port 3306',
      (dialect) => {
        expect(parseConnectionUrl(`${dialect}://u@h/db`).options).toMatchObject({
          type: 'mysql',
          host: 'h',
          port: 3306,
          username: 'u',
          password: undefined,
          database: 'db',
        });
      },
    );

    it.each([
      ['a literal ;', 'mysql+pymysql://esi:pa;ss@h/db', 'pa;ss'],
      ['an escaped ;', 'mysql+pymysql://esi:pa%3Bss@h/db', 'pa;ss'],
      ['/ : ? and #', 'mysql://esi:p/a:s?s#@h/db', 'p/a:s?s#'],
      ['an escaped @', 'mysql://esi:p%40ss@h/db', 'p@ss'],
      ['UTF-8 escapes', 'mysql://esi:p%C3%A4ss@h/db', 'päss'],
      ['a bare % (kept, as Python unquote does)', 'mysql://esi:100%zz@h/db', '100%zz'],
    ])('decodes a password with %s', (_, url, password) => {
      expect(parseConnectionUrl(url).options).toMatchObject({ username: 'esi', password, host: 'h', database: 'db' });
    });

    it('takes an IPv6 host in brackets and a unix socket parameter', () => {
      expect(parseConnectionUrl('mysql://u:p@[::1]:3306/db').options).toMatchObject({ host: '::1', port: 3306 });
      expect(parseConnectionUrl('mysql://u@localhost/db?unix_socket=/run/mysqld/mysqld.sock').options).toMatchObject({
        socketPath: '/run/mysqld/mysqld.sock',
      });
    });

    it('reports URL parameters it has no use for (devstack adds plugin=dbcounter)', () => {
      expect(parseConnectionUrl('mysql+pymysql://u:p@h/db?charset=utf8&plugin=dbcounter').ignoredParameters).toEqual([
        'plugin',
      ]);
    });

    it('needs a database name and a sane port', () => {
      expect(() => parseConnectionUrl('mysql+pymysql://u:p@h')).toThrow(
        /^\[database\] connection: the URL names no database/,
      );
      expect(() => parseConnectionUrl('mysql+pymysql://u:p@h:99999/db')).toThrow(
        "[database] connection: invalid port '99999'",
      );
    });
  });

  describe('SQLite forms (as SQLAlchemy reads them)', () => {
    it('three slashes: a path relative to the working directory; WAL, synchronous NORMAL and a busy timeout', () => {
      const options = parseConnectionUrl('sqlite:///data/esi-leap.sqlite').options as unknown as Record<string, unknown>;
      const { prepareDatabase, ...rest } = options;
      expect(rest).toEqual({
        type: 'better-sqlite3',
        database: path.resolve('data/esi-leap.sqlite'),
        enableWAL: true,
        timeout: SQLITE_BUSY_TIMEOUT_MS,
      });
      const pragmas: string[] = [];
      (prepareDatabase as (db: { pragma(source: string): void }) => void)({ pragma: (source) => pragmas.push(source) });
      expect(pragmas).toEqual(['synchronous = NORMAL']);
    });

    it('four slashes: an absolute path', () => {
      expect(parseConnectionUrl('sqlite:////var/lib/esi-leap/esi-leap.sqlite').options).toMatchObject({
        database: '/var/lib/esi-leap/esi-leap.sqlite',
      });
    });

    it.each(['sqlite://', 'sqlite:///:memory:'])('%s is an in-memory database, without WAL', (url) => {
      expect(parseConnectionUrl(url).options).toMatchObject({ database: ':memory:', enableWAL: false });
    });

    it('refuses a host', () => {
      expect(() => parseConnectionUrl('sqlite://somehost/x.db')).toThrow(
        /^\[database\] connection: a sqlite URL has no host/,
      );
    });
  });

  it('refuses other databases and non-URLs, naming the option and never the password', () => {
    const attempt = (url: string) => () => parseConnectionUrl(url);
    expect(attempt('postgresql://u:hunter2@h/db')).toThrow(ConfigError);
    expect(attempt('postgresql://u:hunter2@h/db')).toThrow(
      "[database] connection: unsupported database 'postgresql' in 'postgresql://u:***@h/db'",
    );
    expect(attempt('esi-leap.sqlite')).toThrow(/^\[database\] connection: cannot parse 'esi-leap.sqlite'/);
  });
});

describe('requireConnection', () => {
  it('fails with the option name when [database] connection is unset', () => {
    expect(() => requireConnection(null)).toThrow(new ConfigError('[database] connection: required option is not set'));
    expect(requireConnection('sqlite://')).toBe('sqlite://');
  });
});

describe('redactConnectionUrl', () => {
  it('masks only the password', () => {
    expect(redactConnectionUrl('mysql+pymysql://esi:s3cr;et@h/db')).toBe('mysql+pymysql://esi:***@h/db');
    expect(redactConnectionUrl('mysql://esi@h/db')).toBe('mysql://esi@h/db');
  });
});

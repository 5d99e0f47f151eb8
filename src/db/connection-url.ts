import * as path from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { ConfigError } from '../config/config-loader';

/**
 * `[database] connection` in the forms oslo.db (SQLAlchemy) accepts, turned into TypeORM
 * options. Only the dialects esi-leap is deployed on are supported: MySQL/MariaDB and SQLite.
 */

const OPTION = '[database] connection';

/** SQLAlchemy's `sqlalchemy.engine.url._parse_url` pattern, so the same strings parse the same way. */
const SQLALCHEMY_URL =
  /^(?<name>[\w+]+):\/\/(?:(?<username>[^:/]*)(?::(?<password>[^@]*))?@)?(?:(?:\[(?<ipv6host>[^/?]+)\]|(?<ipv4host>[^/:?]+))?(?::(?<port>[^/?]*))?)?(?:\/(?<database>[^?]*))?(?:\?(?<query>.*))?$/s;

const MYSQL_DIALECTS = new Set([
  'mysql',
  'mysql+pymysql',
  'mysql+mysqldb',
  'mysql+mysqlconnector',
  'mariadb',
  'mariadb+pymysql',
  'mariadb+mysqldb',
]);
const SQLITE_DIALECTS = new Set(['sqlite', 'sqlite+pysqlite']);
const DEFAULT_MYSQL_PORT = 3306;

/** How long a SQLite connection waits for another process's write lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

function invalid(reason: string): ConfigError {
  return new ConfigError(`${OPTION}: ${reason}`);
}

/** A missing `[database] connection` (the embedded defaults supply one when no file is read). */
export function requireConnection(connection: string | null | undefined): string {
  if (!connection) throw invalid('required option is not set');
  return connection;
}

export interface ConnectionSettings {
  /** `[database] max_pool_size` (MySQL only; SQLite has a single connection per process). */
  maxPoolSize?: number;
}

export interface ParsedConnection {
  options: DataSourceOptions;
  /** URL query parameters that have no meaning here (e.g. devstack's `plugin=dbcounter`). */
  ignoredParameters: string[];
  /** The URL with its password masked, safe for logs. */
  redacted: string;
}

interface UrlParts {
  dialect: string;
  username?: string;
  password?: string;
  host?: string;
  port?: string;
  database?: string;
  query: URLSearchParams;
}

/**
 * Python's `urllib.parse.unquote`: percent escapes are UTF-8 bytes, and a malformed escape is
 * kept literally instead of failing (a password may well contain a bare `%`).
 */
function unquote(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length;) {
    const escape = /^%[0-9A-Fa-f]{2}/.exec(text.slice(i));
    if (escape) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const codePoint = text.codePointAt(i) as number;
      const char = String.fromCodePoint(codePoint);
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function splitUrl(url: string): UrlParts {
  const match = SQLALCHEMY_URL.exec(url.trim());
  if (!match?.groups) {
    throw invalid(
      `cannot parse '${redactConnectionUrl(url)}' as a database URL (expected e.g. mysql+pymysql://user:password@host/esi_leap or sqlite:////var/lib/esi-leap/esi-leap.db)`,
    );
  }
  const g = match.groups;
  return {
    dialect: g.name.toLowerCase(),
    username: g.username === undefined ? undefined : unquote(g.username),
    password: g.password === undefined ? undefined : unquote(g.password),
    host: g.ipv4host ?? g.ipv6host,
    port: g.port || undefined,
    database: g.database || undefined,
    query: new URLSearchParams(g.query ?? ''),
  };
}

/** Masks the password of a connection URL (for logs and error messages). */
export function redactConnectionUrl(url: string): string {
  return url.replace(/^([\w+]+:\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

function parsePort(port: string | undefined): number {
  if (port === undefined) return DEFAULT_MYSQL_PORT;
  const value = Number(port);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw invalid(`invalid port '${port}'`);
  return value;
}

function mysqlOptions(parts: UrlParts, settings: ConnectionSettings): Omit<ParsedConnection, 'redacted'> {
  if (!parts.database)
    throw invalid('the URL names no database (e.g. mysql+pymysql://esi_leap:PASSWORD@HOST/esi_leap)');
  const ignoredParameters: string[] = [];
  let socketPath: string | undefined;
  for (const [key, value] of parts.query) {
    if (key === 'unix_socket') socketPath = value;
    // `charset=utf8` is what oslo.db adds; we always talk utf8mb4, a superset of it.
    else if (key !== 'charset') ignoredParameters.push(key);
  }
  return {
    options: {
      type: 'mysql',
      connectorPackage: 'mysql2',
      host: parts.host ?? 'localhost',
      port: parsePort(parts.port),
      socketPath,
      username: parts.username,
      password: parts.password,
      database: parts.database,
      // DATETIME(6) values are naive UTC; mysql2 must neither shift them by the host's zone
      // nor turn them into JS Dates (which drop microseconds).
      timezone: 'Z',
      dateStrings: true,
      charset: 'utf8mb4',
      poolSize: settings.maxPoolSize,
    },
    ignoredParameters,
  };
}

function sqliteOptions(parts: UrlParts): Omit<ParsedConnection, 'redacted'> {
  if (parts.host || parts.username !== undefined || parts.port) {
    throw invalid(
      'a sqlite URL has no host: use sqlite:///relative/path, sqlite:////absolute/path or sqlite:// (in memory)',
    );
  }
  const inMemory = parts.database === undefined || parts.database === ':memory:';
  // As in SQLAlchemy, the path after `sqlite:///` is taken relative to the working directory.
  // TypeORM creates the parent directory when it opens the file.
  const database = inMemory ? ':memory:' : path.resolve(parts.database as string);
  return {
    options: {
      type: 'better-sqlite3',
      database,
      enableWAL: !inMemory,
      timeout: SQLITE_BUSY_TIMEOUT_MS,
      // In WAL mode NORMAL keeps the database consistent through a process crash and syncs at
      // checkpoints instead of at every commit (only a power loss can undo the last commits).
      prepareDatabase: (db: { pragma(source: string): unknown }) => void db.pragma('synchronous = NORMAL'),
    },
    ignoredParameters: [...parts.query.keys()],
  };
}

/** Parses `[database] connection` into TypeORM options (entities and migrations are added by the caller). */
export function parseConnectionUrl(url: string, settings: ConnectionSettings = {}): ParsedConnection {
  const parts = splitUrl(url);
  const redacted = redactConnectionUrl(url.trim());
  if (MYSQL_DIALECTS.has(parts.dialect)) return { ...mysqlOptions(parts, settings), redacted };
  if (SQLITE_DIALECTS.has(parts.dialect)) return { ...sqliteOptions(parts), redacted };
  throw invalid(
    `unsupported database '${parts.dialect}' in '${redacted}': use mysql+pymysql:// (or mysql://, mysql+mysqldb://) for MySQL/MariaDB, or sqlite://`,
  );
}

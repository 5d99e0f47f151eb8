import { ClientError, ServiceUnavailable } from './esi-leap.exceptions';

/**
 * Client-side error codes of the database drivers (mysql2, better-sqlite3) that mean the
 * database cannot be reached or used right now, not that a statement was wrong.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
]);

/** SQLite's: locked past the busy timeout, a file that cannot be opened or written, a full disk. */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|CANTOPEN|READONLY|FULL|IOERR)/;

/**
 * MySQL/MariaDB server errors (errno, stable across servers and client versions) that mean
 * the database refuses this service, whatever the request: logins and grants, a missing
 * database, a server going away, a read-only or not-ready (Galera) node.
 */
const UNAVAILABLE_ERRNOS = new Set([
  1040, // ER_CON_COUNT_ERROR: too many connections
  1044, // ER_DBACCESS_DENIED_ERROR: no grant on the database
  1045, // ER_ACCESS_DENIED_ERROR: login refused (wrong password)
  1046, // ER_NO_DB_ERROR: the connection's database was dropped
  1047, // ER_UNKNOWN_COM_ERROR: Galera "WSREP has not yet prepared node for application use"
  1049, // ER_BAD_DB_ERROR: unknown database
  1053, // ER_SERVER_SHUTDOWN
  1129, // ER_HOST_IS_BLOCKED
  1130, // ER_HOST_NOT_PRIVILEGED
  1142, // ER_TABLEACCESS_DENIED_ERROR: grants revoked
  1143, // ER_COLUMNACCESS_DENIED_ERROR
  1180, // ER_ERROR_DURING_COMMIT: a Galera node that left the Primary Component could not replicate the commit (rolled back)
  1203, // ER_TOO_MANY_USER_CONNECTIONS
  1205, // ER_LOCK_WAIT_TIMEOUT outside a resource lock: a Galera read waiting past wsrep_sync_wait
  1226, // ER_USER_LIMIT_REACHED
  1290, // ER_OPTION_PREVENTS_STATEMENT: --read-only (a read-only replica or Galera node)
  1698, // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
  1792, // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
  1836, // ER_READ_ONLY_MODE
  1862, // ER_MUST_CHANGE_PASSWORD_LOGIN
  1927, // MariaDB ER_CONNECTION_KILLED
]);

/**
 * Server errors about a value the column cannot hold. Input is validated against the column
 * widths first; these are the safety net, so a value that slipped through is a 400 (and the
 * transaction is rolled back), never a 500.
 */
const VALUE_ERRNOS: Record<number, string> = {
  1264: 'Value out of range for its database column', // ER_WARN_DATA_OUT_OF_RANGE
  1366: 'Value has characters its database column cannot store', // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD (4-byte UTF-8 in utf8mb3)
  1406: 'Value too long for its database column', // ER_DATA_TOO_LONG
};

interface DriverErrorShape {
  code?: unknown;
  errno?: unknown;
  sqlMessage?: unknown;
  driverError?: { code?: unknown; errno?: unknown; sqlMessage?: unknown };
}

/**
 * The HTTP error for a database driver error (TypeORM's QueryFailedError carries the driver's
 * in `driverError`), or null when it is none of the known kinds (a bug: the caller answers 500).
 */
export function databaseErrorResponse(err: unknown): ServiceUnavailable | ClientError | null {
  if (err === null || typeof err !== 'object') return null;
  const outer = err as DriverErrorShape;
  const inner = outer.driverError ?? outer;
  const code = inner.code ?? outer.code;
  const errno = inner.errno ?? outer.errno;
  const unavailable =
    (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || SQLITE_UNAVAILABLE.test(code))) ||
    (typeof errno === 'number' && UNAVAILABLE_ERRNOS.has(errno));
  if (unavailable) {
    return new ServiceUnavailable({ service: 'Database' });
  }
  if (typeof errno === 'number' && errno in VALUE_ERRNOS) {
    const column = columnOf(String(inner.sqlMessage ?? outer.sqlMessage ?? ''));
    return new ClientError(`Invalid input for field/attribute ${column}. ${VALUE_ERRNOS[errno]}.`);
  }
  return null;
}

/** `Data too long for column 'name' at row 1`, `… for column \`db\`.\`t\`.\`name\` at row 1` → `name`. */
function columnOf(sqlMessage: string): string {
  const match = /for column (\S+) at row/.exec(sqlMessage);
  if (!match) return 'unknown';
  const parts = match[1].split('.');
  return parts[parts.length - 1].replace(/^[`']|[`']$/g, '');
}

/** A short description for the log line: the code and errno the driver gave. */
export function describeDriverError(err: unknown): string {
  const outer = (err ?? {}) as DriverErrorShape;
  const inner = outer.driverError ?? outer;
  return [inner.code ?? outer.code, inner.errno ?? outer.errno].filter((v) => v !== undefined).join(' ');
}

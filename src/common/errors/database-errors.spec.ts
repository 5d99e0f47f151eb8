import { QueryFailedError } from 'typeorm';
import { databaseErrorResponse } from './database-errors';
import { ClientError, ServiceUnavailable } from './esi-leap.exceptions';

/** A mysql2 error as the driver raises it: `code`, `errno`, `sqlMessage`. */
function mysqlError(code: string, errno: number, sqlMessage: string): Error {
  return Object.assign(new Error(sqlMessage), { code, errno, sqlMessage, sqlState: 'HY000' });
}

describe('databaseErrorResponse', () => {
  it.each([
    [
      'refused login',
      mysqlError('ER_ACCESS_DENIED_ERROR', 1045, "Access denied for user 'esi'@'localhost' (using password: YES)"),
    ],
    [
      'no grant on the database',
      mysqlError('ER_DBACCESS_DENIED_ERROR', 1044, "Access denied for user 'esi'@'%' to database 'esi_leap'"),
    ],
    [
      'revoked table grant',
      mysqlError(
        'ER_TABLEACCESS_DENIED_ERROR',
        1142,
        "SELECT command denied to user 'esi'@'localhost' for table `esi_leap`.`offers`",
      ),
    ],
    ['unknown database', mysqlError('ER_BAD_DB_ERROR', 1049, "Unknown database 'esi_leap'")],
    [
      'read-only node',
      mysqlError(
        'ER_OPTION_PREVENTS_STATEMENT',
        1290,
        'The MariaDB server is running with the --read-only option so it cannot execute this statement',
      ),
    ],
    [
      'Galera node not ready',
      mysqlError('ER_UNKNOWN_COM_ERROR', 1047, 'WSREP has not yet prepared node for application use'),
    ],
    [
      'commit on a Galera node cut off from the majority',
      mysqlError(
        'ER_ERROR_DURING_COMMIT',
        1180,
        'Error while appending streaming replication fragment(provider status: Not connected to Primary Component)',
      ),
    ],
    [
      // A read on a Galera node cut off from the majority, waiting past wsrep_sync_wait.
      'causal read timeout on a Galera node',
      mysqlError('ER_LOCK_WAIT_TIMEOUT', 1205, 'Lock wait timeout exceeded; try restarting transaction'),
    ],
    [
      'lost connection',
      Object.assign(new Error('Connection lost: The server closed the connection.'), {
        code: 'PROTOCOL_CONNECTION_LOST',
        fatal: true,
      }),
    ],
    [
      'refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED', errno: -111 }),
    ],
    ['SQLite locked', Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })],
    ['SQLite disk I/O', Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' })],
  ])('%s → 503 naming the database', (_label, err) => {
    for (const thrown of [err, new QueryFailedError('SELECT 1', [], err)]) {
      const response = databaseErrorResponse(thrown);
      expect(response).toBeInstanceOf(ServiceUnavailable);
      expect(response).toMatchObject({ status: 503, message: 'Database is unavailable.' });
    }
  });

  it.each([
    [
      mysqlError('ER_DATA_TOO_LONG', 1406, "Data too long for column 'name' at row 1"),
      'name',
      'Value too long for its database column',
    ],
    [
      mysqlError('ER_WARN_DATA_OUT_OF_RANGE', 1264, "Out of range value for column 'expires' at row 1"),
      'expires',
      'Value out of range for its database column',
    ],
    [
      mysqlError(
        'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
        1366,
        "Incorrect string value: '\\xF0\\x9F\\xA6\\x84' for column `esi_leap`.`leases`.`purpose` at row 1",
      ),
      'purpose',
      'Value has characters its database column cannot store',
    ],
  ])('%s → 400 naming the column', (err, column, reason) => {
    const response = databaseErrorResponse(new QueryFailedError('INSERT …', [], err));
    expect(response).toBeInstanceOf(ClientError);
    expect(response).toMatchObject({ status: 400, message: `Invalid input for field/attribute ${column}. ${reason}.` });
  });

  it('leaves every other error to the caller (a bug is a 500)', () => {
    expect(
      databaseErrorResponse(mysqlError('ER_PARSE_ERROR', 1064, 'You have an error in your SQL syntax')),
    ).toBeNull();
    expect(databaseErrorResponse(mysqlError('ER_DUP_ENTRY', 1062, "Duplicate entry 'x' for key 'uuid'"))).toBeNull();
    expect(databaseErrorResponse(new TypeError('x is undefined'))).toBeNull();
    expect(databaseErrorResponse(null)).toBeNull();
    expect(databaseErrorResponse('text')).toBeNull();
  });
});

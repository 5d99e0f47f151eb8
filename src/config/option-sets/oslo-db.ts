/** oslo.db's [database] options (`oslo_db/options.py`), with their deprecated spellings. */
import { boolOpt, fromNamespace, intOpt, strOpt } from '../option-types';

export const osloDbOptions = fromNamespace('oslo.db', {
  sqlite_synchronous: boolOpt('If True, SQLite uses synchronous mode.', true, {
    deprecatedNames: [{ section: 'DEFAULT', name: 'sqlite_synchronous' }],
  }),
  backend: strOpt('The back end to use for the database.', {
    default: 'sqlalchemy',
    deprecatedNames: [{ section: 'DEFAULT', name: 'db_backend' }],
  }),
  connection: strOpt(
    'The SQLAlchemy connection string to use to connect to the database ' +
      '(mysql+pymysql://user:pass@host/db or sqlite:////absolute/path.sqlite).',
    {
      secret: true,
      deprecatedNames: [
        { section: 'DEFAULT', name: 'sql_connection' },
        { section: 'database', name: 'sql_connection' },
        { section: 'sql', name: 'connection' },
      ],
    },
  ),
  slave_connection: strOpt('The SQLAlchemy connection string to use to connect to the slave database.', {
    secret: true,
  }),
  mysql_sql_mode: strOpt(
    'The SQL mode to be used for MySQL sessions. This option, including the default, overrides any ' +
      'server-set SQL mode. To use whatever SQL mode is set by the server configuration, set this to no ' +
      'value. Example: mysql_sql_mode=',
    { default: 'TRADITIONAL' },
  ),
  mysql_wsrep_sync_wait: intOpt('For Galera only, configure wsrep_sync_wait causality checks on new connections'),
  mysql_enable_ndb: boolOpt('If True, transparently enables support for handling MySQL Cluster (NDB).', false, {
    deprecatedForRemoval: 'Support for the MySQL NDB Cluster storage engine has been deprecated.',
  }),
  connection_recycle_time: intOpt(
    'Connections which have been present in the connection pool longer than this number of seconds will ' +
      'be replaced with a new one the next time they are checked out from the pool.',
    { default: 3600 },
  ),
  max_pool_size: intOpt(
    'Maximum number of SQL connections to keep open in a pool. Setting a value of 0 indicates no limit.',
    { default: 5 },
  ),
  max_retries: intOpt(
    'Maximum number of database connection retries during startup. Set to -1 to specify an infinite retry count.',
    {
      default: 10,
      deprecatedNames: [
        { section: 'DEFAULT', name: 'sql_max_retries' },
        { section: 'database', name: 'sql_max_retries' },
      ],
    },
  ),
  retry_interval: intOpt('Interval between retries of opening a SQL connection.', {
    default: 10,
    deprecatedNames: [
      { section: 'DEFAULT', name: 'sql_retry_interval' },
      { section: 'database', name: 'reconnect_interval' },
    ],
  }),
  max_overflow: intOpt('If set, use this value for max_overflow with SQLAlchemy.', {
    default: 50,
    deprecatedNames: [
      { section: 'DEFAULT', name: 'sql_max_overflow' },
      { section: 'database', name: 'sqlalchemy_max_overflow' },
    ],
  }),
  connection_debug: intOpt('Verbosity of SQL debugging information: 0=None, 100=Everything.', {
    default: 0,
    min: 0,
    max: 100,
    deprecatedNames: [{ section: 'DEFAULT', name: 'sql_connection_debug' }],
  }),
  connection_trace: boolOpt('Add Python stack traces to SQL as comment strings.', false, {
    deprecatedNames: [{ section: 'DEFAULT', name: 'sql_connection_trace' }],
  }),
  pool_timeout: intOpt('If set, use this value for pool_timeout with SQLAlchemy.', {
    deprecatedNames: [{ section: 'database', name: 'sqlalchemy_pool_timeout' }],
  }),
  use_db_reconnect: boolOpt('Enable the experimental use of database reconnect on connection lost.', false),
  db_retry_interval: intOpt('Seconds between retries of a database transaction.', { default: 1 }),
  db_inc_retry_interval: boolOpt(
    'If True, increases the interval between retries of a database operation up to db_max_retry_interval.',
    true,
  ),
  db_max_retry_interval: intOpt(
    'If db_inc_retry_interval is set, the maximum seconds between retries of a database operation.',
    { default: 10 },
  ),
  db_max_retries: intOpt(
    'Maximum retries in case of connection error or deadlock error before error is raised. Set to -1 to ' +
      'specify an infinite retry count.',
    { default: 20 },
  ),
  connection_parameters: strOpt(
    'Optional URL parameters to append onto the connection URL at connect time; specify as ' +
      'param1=value1&param2=value2&...',
    { default: '' },
  ),
  use_tpool: boolOpt('Enable the experimental use of thread pooling for all DB API calls', false, {
    deprecatedForRemoval: 'This feature has never graduated from experimental status.',
    deprecatedNames: [{ section: 'DEFAULT', name: 'dbapi_use_tpool' }],
  }),
});

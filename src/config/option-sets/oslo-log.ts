/** oslo.log's [DEFAULT] options (`oslo_log/_options.py`), so existing logging settings are accepted. */
import { boolOpt, choiceOpt, fromNamespace, intOpt, listOpt, strOpt } from '../option-types';

const IGNORED_WITH_APPEND = 'This option is ignored if log_config_append is set.';

export const osloLogOptions = fromNamespace('oslo.log', {
  debug: boolOpt('If set to true, the logging level will be set to DEBUG instead of the default INFO level.', false),
  log_config_append: strOpt(
    'The name of a logging configuration file. This file is appended to any existing logging ' +
      'configuration files. Note that when logging configuration files are used then all logging ' +
      'configuration is set in the configuration file and other logging configuration options are ignored.',
  ),
  log_date_format: strOpt(`Defines the format string for %(asctime)s in log records. ${IGNORED_WITH_APPEND}`, {
    default: '%Y-%m-%d %H:%M:%S',
  }),
  log_file: strOpt(
    '(Optional) Name of log file to send logging output to. If no default is set, logging will go to ' +
      `stderr as defined by use_stderr. ${IGNORED_WITH_APPEND}`,
    { deprecatedNames: [{ name: 'logfile' }] },
  ),
  log_dir: strOpt(`(Optional) The base directory used for relative log_file paths. ${IGNORED_WITH_APPEND}`, {
    deprecatedNames: [{ name: 'logdir' }],
  }),
  watch_log_file: boolOpt(
    'Uses logging handler designed to watch file system. When log file is moved or removed this handler ' +
      `will open a new log file with specified path instantaneously. ${IGNORED_WITH_APPEND}`,
    false,
    { deprecatedForRemoval: 'This function is known to have been broken for long time.' },
  ),
  use_syslog: boolOpt(`Use syslog for logging. ${IGNORED_WITH_APPEND}`, false),
  use_journal: boolOpt(`Enable journald for logging. ${IGNORED_WITH_APPEND}`, false),
  syslog_log_facility: strOpt(`Syslog facility to receive log lines. ${IGNORED_WITH_APPEND}`, {
    default: 'LOG_USER',
  }),
  use_json: boolOpt(`Use JSON formatting for logging. ${IGNORED_WITH_APPEND}`, false),
  use_stderr: boolOpt(`Log output to standard error. ${IGNORED_WITH_APPEND}`, false),
  log_color: boolOpt(
    "(Optional) Set the 'color' key according to log levels. This option takes effect only when " +
      `logging to stderr or stdout is used. ${IGNORED_WITH_APPEND}`,
    false,
  ),
  log_rotate_interval: intOpt(
    'The amount of time before the log files are rotated. This option is ignored unless ' +
      'log_rotation_type is set to "interval".',
    { default: 1 },
  ),
  log_rotate_interval_type: strOpt(
    'Rotation interval type. The time of the last file change (or the time when the service was ' +
      'started) is used when scheduling the next rotation.',
    { default: 'days', choices: ['Seconds', 'Minutes', 'Hours', 'Days', 'Weekday', 'Midnight'], ignoreCase: true },
  ),
  max_logfile_count: intOpt('Maximum number of rotated log files.', { default: 30 }),
  max_logfile_size_mb: intOpt(
    'Log file maximum size in MB. This option is ignored if "log_rotation_type" is not set to "size".',
    { default: 200 },
  ),
  log_rotation_type: strOpt('Log rotation type.', {
    default: 'none',
    choices: ['interval', 'size', 'none'],
    ignoreCase: true,
  }),
  logging_context_format_string: strOpt('Format string to use for log messages with context.', {
    default:
      '%(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s [%(global_request_id)s %(request_id)s ' +
      '%(user_identity)s] %(instance)s%(message)s',
  }),
  logging_default_format_string: strOpt('Format string to use for log messages when context is undefined.', {
    default: '%(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s [-] %(instance)s%(message)s',
  }),
  logging_debug_format_suffix: strOpt(
    'Additional data to append to log message when logging level for the message is DEBUG.',
    { default: '%(funcName)s %(pathname)s:%(lineno)d' },
  ),
  logging_exception_prefix: strOpt('Prefix each line of exception output with this format.', {
    default: '%(asctime)s.%(msecs)03d %(process)d ERROR %(name)s %(instance)s',
  }),
  logging_user_identity_format: strOpt(
    'Defines the format string for %(user_identity)s that is used in logging_context_format_string.',
    { default: '%(user)s %(project)s %(domain)s %(system_scope)s %(user_domain)s %(project_domain)s' },
  ),
  default_log_levels: listOpt(`List of package logging levels in logger=LEVEL pairs. ${IGNORED_WITH_APPEND}`, {
    default: [
      'amqp=WARN',
      'amqplib=WARN',
      'boto=WARN',
      'qpid=WARN',
      'sqlalchemy=WARN',
      'suds=INFO',
      'oslo.messaging=INFO',
      'oslo_messaging=INFO',
      'iso8601=WARN',
      'requests.packages.urllib3.connectionpool=WARN',
      'urllib3.connectionpool=WARN',
      'websocket=WARN',
      'requests.packages.urllib3.util.retry=WARN',
      'urllib3.util.retry=WARN',
      'keystonemiddleware=WARN',
      'routes.middleware=WARN',
      'stevedore=WARN',
      'taskflow=WARN',
      'keystoneauth=WARN',
      'oslo.cache=INFO',
      'oslo_policy=INFO',
      'dogpile.core.dogpile=INFO',
    ],
  }),
  publish_errors: boolOpt('Enables or disables publication of error events.', false),
  instance_format: strOpt('The format for an instance that is passed with the log message.', {
    default: '[instance: %(uuid)s] ',
  }),
  instance_uuid_format: strOpt('The format for an instance UUID that is passed with the log message.', {
    default: '[instance: %(uuid)s] ',
  }),
  rate_limit_interval: intOpt('Interval, number of seconds, of log rate limiting.', { default: 0 }),
  rate_limit_burst: intOpt('Maximum number of logged messages per rate_limit_interval.', { default: 0 }),
  rate_limit_except_level: choiceOpt(
    'Log level name used by rate limiting. Logs with level greater or equal to rate_limit_except_level ' +
      'are not filtered. An empty string means that all levels are filtered.',
    ['CRITICAL', 'ERROR', 'INFO', 'WARNING', 'DEBUG', ''],
    'CRITICAL',
  ),
  fatal_deprecations: boolOpt('Enables or disables fatal status of deprecations.', false),
});

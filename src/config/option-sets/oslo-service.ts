/** oslo.service's [DEFAULT] and [ssl] options (`oslo_service/_options.py`). */
import { boolOpt, fromNamespace, intOpt, strOpt } from '../option-types';

const ORIGIN = 'oslo.service';

export const osloServiceDefaultOptions = fromNamespace(ORIGIN, {
  backdoor_port: strOpt('Enable eventlet backdoor.'),
  backdoor_socket: strOpt('Enable eventlet backdoor on a unix socket.'),
  log_options: boolOpt(
    'Enables or disables logging values of all registered options when starting a service (at DEBUG level).',
    true,
  ),
  graceful_shutdown_timeout: intOpt(
    'Specify a timeout after which a gracefully shutdown server will exit. Zero value means endless wait.',
    { default: 60 },
  ),
  run_external_periodic_tasks: boolOpt(
    'Some periodic tasks can be run in a separate process. Should we run them here?',
    true,
  ),
});

export const osloServiceSslOptions = fromNamespace(ORIGIN, {
  ca_file: strOpt('CA certificate file to use to verify connecting clients.', {
    deprecatedNames: [{ section: 'DEFAULT', name: 'ssl_ca_file' }],
  }),
  cert_file: strOpt('Certificate file to use when starting the server securely.', {
    deprecatedNames: [{ section: 'DEFAULT', name: 'ssl_cert_file' }],
  }),
  key_file: strOpt('Private key file to use when starting the server securely.', {
    deprecatedNames: [{ section: 'DEFAULT', name: 'ssl_key_file' }],
  }),
  version: strOpt(
    'SSL version to use (valid only if SSL enabled). Valid values are TLSv1 and SSLv23. SSLv2, SSLv3, ' +
      'TLSv1_1, and TLSv1_2 may be available on some distributions.',
  ),
  ciphers: strOpt('Sets the list of available ciphers. value should be a string in the OpenSSL cipher list format.'),
});

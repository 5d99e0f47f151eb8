/** oslo.middleware's [oslo_middleware] options, part of upstream's sample configuration. */
import { boolOpt, fromNamespace, intOpt, strOpt } from '../option-types';

export const osloMiddlewareOptions = fromNamespace('oslo.middleware', {
  max_request_body_size: intOpt('The maximum body size for each request, in bytes.', {
    default: 114688,
    deprecatedNames: [
      { section: 'DEFAULT', name: 'osapi_max_request_body_size' },
      { section: 'DEFAULT', name: 'max_request_body_size' },
    ],
  }),
  enable_proxy_headers_parsing: boolOpt(
    'Whether the application is behind a proxy or not. This determines if the middleware should parse the ' +
      'headers or not.',
    false,
  ),
  http_basic_auth_user_file: strOpt('HTTP basic auth password file.', { default: '/etc/htpasswd' }),
});

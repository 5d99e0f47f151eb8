import { readFileSync } from 'node:fs';
import { createSecureContext, SecureContextOptions } from 'node:tls';
import { ConfigError } from '../config/config-error';
import { EsiLeapConfig } from '../config/esi-leap-config';

export interface HttpsOptions extends SecureContextOptions {
  readonly requestCert?: boolean;
  readonly rejectUnauthorized?: boolean;
}

/**
 * `[api] enable_ssl_api` with the `[ssl]` files, as oslo.service's `sslutils` reads them: the
 * certificate and key, optional `ca_file` whose clients must present a certificate it signed,
 * optional `ciphers`. Null means plain HTTP. Every file is read and the pair checked now, so a
 * wrong path or a key that does not match stops the start with the option at fault.
 */
export function httpsOptionsFrom(config: EsiLeapConfig): HttpsOptions | null {
  if (!config.api.enable_ssl_api) return null;
  const { cert_file: certFile, key_file: keyFile, ca_file: caFile, ciphers } = config.ssl;
  const options: HttpsOptions = {
    cert: readPem('cert_file', certFile),
    key: readPem('key_file', keyFile),
    ...(caFile ? { ca: readPem('ca_file', caFile), requestCert: true, rejectUnauthorized: true } : {}),
    ...(ciphers ? { ciphers } : {}),
  };
  try {
    createSecureContext(options);
  } catch (err) {
    throw new ConfigError(
      `[ssl] cert_file, key_file: ${certFile} and ${keyFile} are not a matching PEM certificate and key: ${(err as Error).message}`,
    );
  }
  return options;
}

function readPem(option: string, file: string | null): Buffer {
  if (!file) throw new ConfigError(`[ssl] ${option}: required when [api] enable_ssl_api = true`);
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(
      `[ssl] ${option}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/**
 * A configuration that cannot be used: a missing file, a syntax error, a bad value. The message is
 * one line naming what is wrong (`[api] port: invalid value 'abc': expected an integer between 0
 * and 65535`), because the CLI prints it as is and exits.
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** Where the offending value came from (`/etc/esi-leap/esi-leap.conf:12`, an environment variable). */
    readonly source?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { redactText, redactValue } from './redact';

type ConfiguredLevel = EsiLeapConfig['DEFAULT']['log_level'];

/** oslo.log level names to the Nest levels printed at that level and above. */
const LEVELS: Record<ConfiguredLevel, LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  info: ['fatal', 'error', 'warn', 'log'],
  warning: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

/**
 * Nest's ConsoleLogger in JSON mode (one object per line, for log collectors), at the level of
 * `[DEFAULT] log_level` (`debug = true` already forces debug there), with credentials masked in
 * every message and stack before they are written.
 */
export class EsiLeapLogger extends ConsoleLogger {
  constructor(level: ConfiguredLevel) {
    super({ json: true, logLevels: LEVELS[level] });
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(
      messages.map((message) => redactValue(message)),
      context,
      logLevel,
      writeStreamType,
      typeof errorStack === 'string' ? redactText(errorStack) : errorStack,
    );
  }
}

export function loggerFor(config: EsiLeapConfig): EsiLeapLogger {
  return new EsiLeapLogger(config.DEFAULT.log_level);
}

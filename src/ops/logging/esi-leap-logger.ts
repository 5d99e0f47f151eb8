import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { redactText, redactValue } from './redact';
import { isFrameworkStartupLine, StartupSummary } from './startup-summary';

type ConfiguredLevel = EsiLeapConfig['DEFAULT']['log_level'];

/** `json`: one object per line, for log collectors; `text`: one line a person reads. */
export type LogFormat = 'json' | 'text';

/** oslo.log level names to the Nest levels printed at that level and above. */
const LEVELS: Record<ConfiguredLevel, LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  info: ['fatal', 'error', 'warn', 'log'],
  warning: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

/** Nest's level names to the standard ones (Python logging's, as oslo.log prints them). */
const LEVEL_NAMES: Record<LogLevel, string> = {
  fatal: 'CRITICAL',
  error: 'ERROR',
  warn: 'WARNING',
  log: 'INFO',
  debug: 'DEBUG',
  verbose: 'DEBUG',
};

/**
 * `[DEFAULT] log_format`: `auto` writes text to a terminal and JSON lines otherwise (a container's
 * stdout); oslo.log's `use_json = true` asks for JSON as well.
 */
export function logFormatFor(config: EsiLeapConfig, stdoutIsTerminal: boolean): LogFormat {
  const { log_format: configured, use_json: useJson } = config.DEFAULT;
  if (configured !== 'auto') return configured;
  return useJson || !stdoutIsTerminal ? 'json' : 'text';
}

/**
 * Nest's ConsoleLogger at the level of `[DEFAULT] log_level` (`debug = true` already forces debug
 * there), writing ISO-8601 UTC timestamps and standard level names in either format, with
 * credentials masked in every message and stack, and Nest's start-up chatter folded into one line.
 */
export class EsiLeapLogger extends ConsoleLogger {
  private readonly startup = new StartupSummary();

  /** `stream`: where lines go that Nest would write to stdout (errors always go to stderr). */
  constructor(
    level: ConfiguredLevel,
    readonly format: LogFormat,
    private readonly stream: 'stdout' | 'stderr' = 'stdout',
  ) {
    super({ json: format === 'json', colors: false, logLevels: LEVELS[level] });
  }

  protected override printMessages(
    messages: unknown[],
    context = '',
    logLevel: LogLevel = 'log',
    writeStreamType: 'stdout' | 'stderr' = this.stream,
    errorStack?: unknown,
  ): void {
    if (logLevel === 'log' && isFrameworkStartupLine(context)) {
      const summary = this.startup.note(context);
      if (summary === null) {
        if (this.isLevelEnabled('debug')) super.printMessages(messages, context, 'debug', writeStreamType);
        return;
      }
      super.printMessages([summary], 'esi-leap', 'log', writeStreamType);
      return;
    }
    super.printMessages(
      messages.map((message) => redactValue(message)),
      context,
      logLevel,
      writeStreamType,
      typeof errorStack === 'string' ? redactText(errorStack) : errorStack,
    );
  }

  /**
   * Text mode prints an error's stack on its own after the line; it is masked like the rest.
   * Nest calls this for every error, without a stack when the caller gave none.
   */
  protected override printStackTrace(stack: string | undefined): void {
    super.printStackTrace(stack === undefined ? '' : redactText(stack));
  }

  /** Nest's JSON line with an ISO-8601 timestamp and a standard level name, time first. */
  protected override getJsonLogObject(
    message: unknown,
    options: { context: string; logLevel: LogLevel; errorStack?: unknown },
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const line = {
      timestamp: new Date().toISOString(),
      level: LEVEL_NAMES[options.logLevel],
      pid: process.pid,
      ...(options.context ? { context: options.context } : {}),
      message,
      ...(options.errorStack ? { stack: options.errorStack } : {}),
    };
    // Nest types the fields it fills itself (an epoch number, its own level names); the JSON
    // writer only serialises the object.
    return line as unknown as ReturnType<ConsoleLogger['getJsonLogObject']>;
  }

  /** `2030-01-02T03:04:05.678Z 4242 INFO esi-leap.http method=GET …`, as oslo.log's default layout. */
  protected override formatMessage(
    logLevel: LogLevel,
    message: unknown,
    _pid: string,
    _level: string,
    context: string,
  ): string {
    return `${new Date().toISOString()} ${process.pid} ${LEVEL_NAMES[logLevel]} ${context}${this.stringifyMessage(message, logLevel)}\n`;
  }

  protected override formatContext(context: string): string {
    return context ? `${context} ` : '';
  }

  /** Structured messages (`{event: 'http.request', …}`) as `key=value` pairs. */
  protected override stringifyMessage(message: unknown, logLevel: LogLevel): string {
    if (message === null || typeof message !== 'object' || Array.isArray(message) || message instanceof Error) {
      return String(super.stringifyMessage(message, logLevel));
    }
    return Object.entries(message)
      .map(
        ([key, value]) =>
          `${key}=${typeof value === 'string' && !/[\s"=]/.test(value) ? value : JSON.stringify(value)}`,
      )
      .join(' ');
  }
}

/**
 * The logger of a process. `stream: 'stderr'` is for commands whose stdout is their output
 * (`dbsync version`, the generators): their log lines must not mix with it.
 */
export function loggerFor(config: EsiLeapConfig, stream: 'stdout' | 'stderr' = 'stdout'): EsiLeapLogger {
  const terminal = (stream === 'stdout' ? process.stdout : process.stderr).isTTY === true;
  return new EsiLeapLogger(config.DEFAULT.log_level, logFormatFor(config, terminal), stream);
}

import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { Agent, fetch, Response } from 'undici';
import { ServiceUnavailable } from '../common/errors/esi-leap.exceptions';
import { FailureCause, failureCause } from './failure-cause';

/** keystoneauth's session TLS options (`cafile`, `certfile`, `keyfile`, `insecure`). */
export interface TlsSettings {
  readonly caFile: string | null;
  readonly certFile: string | null;
  readonly keyFile: string | null;
  readonly insecure: boolean;
}

/** How esi-leap talks to one dependency, read from one config section. */
export interface OutboundSettings {
  /** Named in the 503 a failure turns into and in the log: `Keystone`, `Ironic`. */
  readonly service: string;
  /** The config section the settings come from, named in log hints: `keystone_authtoken`. */
  readonly section: string;
  readonly tls: TlsSettings;
  /** Longest time one call may take in total: authentication, retries and back-off included. */
  readonly callTimeoutMs: number;
  /** Longest time one HTTP exchange may take (keystoneauth `timeout`); at most `callTimeoutMs`. */
  readonly attemptTimeoutMs: number;
  /** Most open connections to one origin; more requests queue instead of opening sockets. */
  readonly maxConnections: number;
}

/**
 * An idle keep-alive socket is closed after this long. A uwsgi http socket (Keystone's usual
 * server) keeps a worker thread waiting on every open connection, so idle sockets left in the
 * pool would pin the server's workers; one second still reuses a socket within a burst.
 */
const KEEPALIVE_IDLE_MS = 1000;

export interface OutboundRequest {
  /** The dependency named on failure when it is not the client's own (Keystone behind Ironic's auth). */
  readonly service?: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** The dependency did not answer (unreachable, TLS, time-out); the cause was logged. */
export class DependencyUnreachable extends ServiceUnavailable {
  constructor(
    service: string,
    readonly failure: FailureCause,
  ) {
    super({ service });
  }
}

/**
 * The HTTP client of one dependency: an undici Agent with the section's TLS material and a
 * bounded keep-alive pool, and calls bounded by a deadline. A call that gets no answer is
 * logged with its real cause (certificate, refused, DNS, time-out) and becomes a 503 naming
 * the dependency.
 */
export class OutboundHttp {
  private readonly agent: Agent;

  constructor(
    readonly settings: OutboundSettings,
    /** undici's fetch; unit tests of error paths pass a scripted one. */
    private readonly send: typeof fetch = fetch,
  ) {
    this.agent = new Agent({
      connect: { ...tlsOptions(settings), timeout: settings.attemptTimeoutMs },
      connections: settings.maxConnections,
      keepAliveTimeout: KEEPALIVE_IDLE_MS,
      keepAliveMaxTimeout: KEEPALIVE_IDLE_MS,
    });
  }

  /** The signal that ends a call once it has used up `callTimeoutMs`; share it across its steps. */
  deadline(): AbortSignal {
    return AbortSignal.timeout(this.settings.callTimeoutMs);
  }

  /**
   * One HTTP exchange within `deadline`. Any answer is returned, whatever its status. When none
   * comes, `retrying(cause)` says whether the caller will try again (logged as a warning), else
   * the cause is logged as an error; either way DependencyUnreachable is thrown.
   */
  async fetch(
    url: string,
    request: OutboundRequest,
    deadline: AbortSignal,
    retrying: (cause: FailureCause) => boolean = () => false,
  ): Promise<Response> {
    const attempt = AbortSignal.timeout(this.settings.attemptTimeoutMs);
    const method = request.method ?? 'GET';
    const started = performance.now();
    try {
      return await this.send(url, {
        method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.any([deadline, attempt]),
        dispatcher: this.agent,
      });
    } catch (err) {
      const cause = failureCause(err, performance.now() - started);
      const service = request.service ?? this.settings.service;
      const line = `${method} ${url} failed: ${cause.text}${this.hint(cause, url)}`;
      if (retrying(cause)) {
        loggerOf(service).warn(`${line}; retrying`);
      } else {
        loggerOf(service).error(line);
      }
      throw new DependencyUnreachable(service, cause);
    }
  }

  /**
   * Waits for work shared with other callers (a single-flight authentication or look-up) no
   * longer than this caller's deadline.
   */
  async wait<T>(promise: Promise<T>, deadline: AbortSignal, what: string, service = this.settings.service): Promise<T> {
    const started = performance.now();
    try {
      return await untilAborted(promise, deadline);
    } catch (err) {
      if (err !== deadline.reason) throw err;
      const cause = failureCause(err, performance.now() - started);
      loggerOf(service).error(`${what} failed: ${cause.text}`);
      throw new DependencyUnreachable(service, cause);
    }
  }

  /** A 503 naming the dependency, after logging why (for answers that are not usable). */
  unavailable(reason: string, service = this.settings.service): ServiceUnavailable {
    loggerOf(service).error(reason);
    return new ServiceUnavailable({ service });
  }

  /** Closes the pooled sockets; calls after this fail. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private hint(cause: FailureCause, url: string): string {
    const section = this.settings.section;
    if (cause.kind === 'certificate' || cause.kind === 'tls') {
      return `; check [${section}] cafile, certfile, keyfile and insecure`;
    }
    // A TLS 1.3 server that wants a client certificate just closes the connection.
    if (cause.kind === 'reset' && url.startsWith('https:')) {
      return `; if the server requires a client certificate, check [${section}] certfile and keyfile`;
    }
    return '';
  }
}

function loggerOf(service: string): Logger {
  return new Logger(`esi-leap.${service.toLowerCase()}`);
}

/** Waits for `promise` unless `signal` fires first (the promise itself goes on for other waiters). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(err);
      },
    );
  });
}

function tlsOptions(settings: OutboundSettings): Record<string, unknown> {
  const { caFile, certFile, keyFile, insecure } = settings.tls;
  const read = (option: string, file: string | null) => {
    if (file === null) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`[${settings.section}] ${option}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const cert = read('certfile', certFile);
  // keystoneauth (requests) accepts a certfile that holds the key too.
  const key = read('keyfile', keyFile) ?? cert;
  return { ca: read('cafile', caFile), cert, key, rejectUnauthorized: !insecure };
}

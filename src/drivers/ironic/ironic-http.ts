import { Logger } from '@nestjs/common';
import { Response } from 'undici';
import { ServiceUnavailable } from '../../common/errors/esi-leap.exceptions';
import { FailureKind } from '../../openstack/failure-cause';
import { KeystoneAuthOptions, KeystoneSession, keystoneAuthOptionsFrom } from '../../openstack/keystone-session';
import { DependencyUnreachable, OutboundHttp, OutboundSettings } from '../../openstack/outbound-http';
import { OutboundSection, outboundSettingsFrom } from '../../openstack/outbound-settings';
import { probeVersionDocument } from '../../openstack/probe';
import { IronicNotConfigured, IronicRequestFailed, IronicVersionUnsupported, ironicFaultString } from './ironic-errors';
import { advertisedRange, IRONIC_API_VERSION, negotiateMicroversion } from './ironic-microversion';

/** How to reach Ironic, read from `[ironic]` (keystoneauth session + adapter options). */
export interface IronicHttpSettings {
  /** Unversioned Ironic URL; null means "look it up in the Keystone catalog". */
  readonly endpointOverride: string | null;
  /** null: no authentication (a standalone Ironic with `auth_strategy = noauth`). */
  readonly keystone: KeystoneAuthOptions | null;
  readonly serviceType: string;
  readonly interfaces: readonly string[];
  readonly region: string | null;
  /** TLS, time limits and connection pool (`cafile`, …, `timeout`, `call_timeout`, `max_connections`). */
  readonly outbound: OutboundSettings;
  readonly statusRetries: number;
  /** Fixed delay between status retries; null: exponential from 0.5 s, at most 4 s. */
  readonly statusRetryDelayMs: number | null;
  readonly retriableStatuses: readonly number[];
  readonly connectRetries: number;
  readonly connectRetryDelayMs: number | null;
}

/** The `[ironic]` options this client reads (a subset of `config.ironic`). */
export interface IronicSection extends OutboundSection {
  readonly auth_type: string | null;
  readonly endpoint_override: string | null;
  readonly service_type: string | null;
  readonly valid_interfaces: readonly string[] | null;
  readonly region_name: string | null;
  readonly status_code_retries: number | null;
  readonly status_code_retry_delay: number | null;
  readonly retriable_status_codes: readonly number[] | null;
  readonly connect_retries: number | null;
  readonly connect_retry_delay: number | null;
}

/** Like ironicclient: a locked node (409) or a busy API (503) is retried 5 times. */
const DEFAULT_STATUS_RETRIES = 5;
const DEFAULT_RETRIABLE = [409, 503];
const DEFAULT_CONNECT_RETRIES = 3;
const PASSWORD_PLUGINS = new Set(['password', 'v3password']);
const NO_AUTH = new Set(['none', 'noauth']);

/** Settings from `[ironic]`; throws IronicNotConfigured naming the option to fix. */
export function ironicHttpSettingsFrom(section: IronicSection): IronicHttpSettings {
  const authType = section.auth_type ?? 'none';
  let keystone: KeystoneAuthOptions | null = null;
  if (PASSWORD_PLUGINS.has(authType)) {
    try {
      keystone = keystoneAuthOptionsFrom(section as unknown as Record<string, unknown>);
    } catch (err) {
      throw new IronicNotConfigured(`[ironic] ${(err as Error).message}.`);
    }
  } else if (!NO_AUTH.has(authType)) {
    throw new IronicNotConfigured(`[ironic] auth_type = ${authType} is not supported; use password or none.`);
  } else if (!section.endpoint_override) {
    throw new IronicNotConfigured('[ironic] endpoint_override must be set when auth_type is none.');
  }
  const seconds = (s: number | null) => (s === null ? null : s * 1000);
  return {
    endpointOverride: section.endpoint_override,
    keystone,
    serviceType: section.service_type ?? 'baremetal',
    interfaces: section.valid_interfaces?.length ? section.valid_interfaces : ['internal', 'public'],
    region: section.region_name,
    outbound: outboundSettingsFrom('Ironic', 'ironic', section),
    statusRetries: section.status_code_retries ?? DEFAULT_STATUS_RETRIES,
    statusRetryDelayMs: seconds(section.status_code_retry_delay),
    retriableStatuses: section.retriable_status_codes?.length ? section.retriable_status_codes : DEFAULT_RETRIABLE,
    connectRetries: section.connect_retries ?? DEFAULT_CONNECT_RETRIES,
    connectRetryDelayMs: seconds(section.connect_retry_delay),
  };
}

export interface IronicRequest {
  readonly body?: unknown;
  /** Act as this user (Ironic applies its owner/lessee visibility); else the service identity. */
  readonly userToken?: string | null;
}

/** Where requests go and which microversion they carry, settled once per process. */
interface Target {
  readonly baseUrl: string;
  readonly version: string;
}

/**
 * HTTP to Ironic: the endpoint and the microversion are settled on first use and reused;
 * every call ends by `call_timeout`, retries included; 409 (node locked) and 503 are retried
 * with back-off, refused connections too; unreachable Ironic and 5xx become ServiceUnavailable,
 * other errors IronicRequestFailed with Ironic's message.
 */
export class IronicHttp {
  private readonly logger = new Logger('esi-leap.ironic');
  private readonly http: OutboundHttp;
  private readonly session: KeystoneSession | null;
  private target: Promise<Target> | null = null;

  constructor(
    private readonly settings: IronicHttpSettings,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.http = new OutboundHttp(settings.outbound);
    this.session = settings.keystone ? new KeystoneSession(settings.keystone, this.http) : null;
  }

  /** The negotiated microversion (settles the target if needed). */
  async version(): Promise<string> {
    return (await this.resolveTarget()).version;
  }

  /** One call; returns the parsed JSON body (null when empty). */
  async send<T>(method: string, path: string, request: IronicRequest = {}): Promise<T> {
    const deadline = this.http.deadline();
    const { baseUrl, version } = await this.http.wait(this.resolveTarget(), deadline, `${method} ${path}`);
    const url = `${baseUrl}${path}`;
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    let statusRetries = 0;
    let connectRetries = 0;
    let reauthenticated = false;
    for (;;) {
      const headers = await this.headers(version, request.userToken ?? null, body !== undefined, deadline);
      let response: Response;
      try {
        // Only a refused/reset connection is retried: the request never reached Ironic, so
        // repeating it is safe; after a time-out a PATCH may or may not have been applied.
        response = await this.http.fetch(
          url,
          { method, headers, body },
          deadline,
          (cause) => RETRIED_FAILURES.has(cause.kind) && connectRetries < this.settings.connectRetries,
        );
      } catch (err) {
        if (err instanceof DependencyUnreachable && RETRIED_FAILURES.has(err.failure.kind)) {
          if (connectRetries < this.settings.connectRetries) {
            const delay = this.delay(this.settings.connectRetryDelayMs, connectRetries++);
            await this.pause(delay, deadline, `${method} ${url} (retrying after a ${err.failure.kind} connection)`);
            continue;
          }
        }
        throw err;
      }
      if (response.status === 401 && this.session && !request.userToken && !reauthenticated) {
        await response.body?.cancel();
        this.session.invalidate();
        reauthenticated = true;
        continue;
      }
      if (this.settings.retriableStatuses.includes(response.status) && statusRetries < this.settings.statusRetries) {
        await response.body?.cancel();
        const delay = this.delay(this.settings.statusRetryDelayMs, statusRetries++);
        await this.pause(delay, deadline, `${method} ${url} (retrying after HTTP ${response.status})`);
        continue;
      }
      const text = await response.text();
      if (response.ok) return (text ? JSON.parse(text) : null) as T;
      const fault = ironicFaultString(text);
      if (response.status >= 500) {
        throw this.http.unavailable(`${method} ${url} answered ${response.status}: ${fault}`);
      }
      throw new IronicRequestFailed(response.status, fault);
    }
  }

  /** Whether Ironic answers its version document, for `/healthcheck`. */
  async probe(deadline: AbortSignal): Promise<void> {
    const baseUrl = unversioned(await this.http.wait(this.endpoint(deadline), deadline, 'finding Ironic'));
    await probeVersionDocument(this.http, `${baseUrl}/`, deadline);
  }

  /** Releases the pooled connections. */
  close(): Promise<void> {
    return this.http.close();
  }

  /** Back-off between two attempts; `call_timeout` running out meanwhile ends the call. */
  private pause(ms: number, deadline: AbortSignal, what: string): Promise<void> {
    return this.http.wait(this.sleep(ms), deadline, what);
  }

  private delay(fixedMs: number | null, attempt: number): number {
    return fixedMs ?? Math.min(500 * 2 ** attempt, 4000);
  }

  private async headers(
    version: string,
    userToken: string | null,
    hasBody: boolean,
    deadline: AbortSignal,
  ): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'X-OpenStack-Ironic-API-Version': version,
      'User-Agent': 'esi-leap',
    };
    if (hasBody) headers['Content-Type'] = 'application/json';
    const serviceToken = this.session ? await this.session.token(deadline) : null;
    if (userToken) {
      headers['X-Auth-Token'] = userToken;
      // keystonemiddleware's service token: Ironic sees the user, vouched for by esi-leap.
      if (serviceToken) headers['X-Service-Token'] = serviceToken;
    } else if (serviceToken) {
      headers['X-Auth-Token'] = serviceToken;
    }
    return headers;
  }

  private resolveTarget(): Promise<Target> {
    // A failed attempt is not remembered: the next call tries again.
    this.target ??= this.settle().catch((err: unknown) => {
      this.target = null;
      throw err;
    });
    return this.target;
  }

  private async settle(): Promise<Target> {
    const deadline = this.http.deadline();
    const baseUrl = unversioned(await this.endpoint(deadline));
    const response = await this.http.fetch(`${baseUrl}/`, { headers: { Accept: 'application/json' } }, deadline);
    let root: unknown;
    try {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      root = await response.json();
    } catch (err) {
      await response.body?.cancel().catch(() => undefined);
      throw this.http.unavailable(`reading Ironic's version document at ${baseUrl}/ failed: ${String(err)}`);
    }
    const range = advertisedRange(root);
    const version = range ? negotiateMicroversion(range) : null;
    if (!range || !version) {
      const offered = range ? `${range.min.join('.')} to ${range.max.join('.')}` : 'no v1 API';
      const message = `Ironic at ${baseUrl} offers API versions ${offered}; esi-leap needs ${IRONIC_API_VERSION} (node lessee).`;
      this.logger.error(message);
      throw new IronicVersionUnsupported(message);
    }
    this.logger.log(`using Ironic at ${baseUrl}, API version ${version}`);
    return { baseUrl, version };
  }

  private async endpoint(deadline: AbortSignal): Promise<string> {
    if (this.settings.endpointOverride) return this.settings.endpointOverride;
    try {
      return await this.session!.endpoint(
        this.settings.serviceType,
        { interfaces: this.settings.interfaces, region: this.settings.region },
        deadline,
      );
    } catch (err) {
      if (err instanceof ServiceUnavailable) throw err;
      throw new IronicNotConfigured(`[ironic] ${(err as Error).message}; set endpoint_override or fix the catalog.`);
    }
  }
}

/** Catalog entries and overrides may carry `/v1` or a trailing slash; requests add `/v1/...`. */
function unversioned(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** Failures where the request never reached Ironic, so sending it again is safe. */
const RETRIED_FAILURES = new Set<FailureKind>(['refused', 'reset']);

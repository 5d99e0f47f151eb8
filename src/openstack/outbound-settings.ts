import { OutboundSettings } from './outbound-http';

/** The options of one client section that shape its HTTP (TLS, time limits, pool). */
export interface OutboundSection {
  readonly cafile?: string | null;
  readonly certfile?: string | null;
  readonly keyfile?: string | null;
  readonly insecure?: boolean | null;
  /** keystoneauth's per-request `timeout` ([keystone], [ironic]). */
  readonly timeout?: number | null;
  /** keystonemiddleware's per-request timeout ([keystone_authtoken]). */
  readonly http_connect_timeout?: number | null;
  readonly call_timeout: number;
  readonly max_connections: number;
}

/**
 * Reads a section's HTTP settings. A per-request `timeout` (or `http_connect_timeout`) longer than
 * `call_timeout` is cut to it: one call never outlasts its total limit.
 */
export function outboundSettingsFrom(service: string, section: string, values: OutboundSection): OutboundSettings {
  const callTimeoutMs = values.call_timeout * 1000;
  const perRequest = values.timeout ?? values.http_connect_timeout ?? null;
  return {
    service,
    section,
    tls: {
      caFile: values.cafile || null,
      certFile: values.certfile || null,
      keyFile: values.keyfile || null,
      insecure: values.insecure === true,
    },
    callTimeoutMs,
    attemptTimeoutMs:
      perRequest === null || perRequest <= 0 ? callTimeoutMs : Math.min(perRequest * 1000, callTimeoutMs),
    maxConnections: values.max_connections,
  };
}

import { EsiLeapException } from '../../common/errors/esi-leap.exceptions';

/**
 * Ironic answered a request with a client error (4xx other than the retried 409s). Rendered as
 * a 500 carrying Ironic's own message and code, like upstream's ironicclient errors
 * (clients only show the message); callers that can do better (404 → NodeNotFound) check `httpStatus` first.
 */
export class IronicRequestFailed extends EsiLeapException {
  constructor(
    readonly httpStatus: number,
    readonly faultstring: string,
  ) {
    super(`${faultstring} (HTTP ${httpStatus})`);
  }
}

/** The Ironic behind the configured endpoint is too old for node lessees (API 1.65). */
export class IronicVersionUnsupported extends EsiLeapException {
  override readonly status = 503;
}

/** `[ironic]` cannot be used as configured; the message says which option to fix. */
export class IronicNotConfigured extends EsiLeapException {
  override readonly status = 503;
}

/**
 * The human-readable message of an Ironic error body. Ironic double-encodes its errors:
 * `{"error_message": "<JSON string>"}` whose inner document has a `faultstring`
 * (`description` for the microversion 406); keystonemiddleware's 401 is `{"error": {...}}`.
 */
export function ironicFaultString(body: string): string {
  let outer: unknown;
  try {
    outer = JSON.parse(body);
  } catch {
    return body.trim().slice(0, 500) || 'no error message';
  }
  if (isObject(outer) && typeof outer.error_message === 'string') {
    try {
      const inner: unknown = JSON.parse(outer.error_message);
      if (isObject(inner)) {
        const text = inner.faultstring ?? inner.description ?? inner.title;
        if (typeof text === 'string') return text;
      }
    } catch {
      // an unencoded message string is the message itself
    }
    return outer.error_message;
  }
  if (isObject(outer) && isObject(outer.error) && typeof outer.error.message === 'string') return outer.error.message;
  return body.trim().slice(0, 500);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

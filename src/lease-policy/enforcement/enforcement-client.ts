import { Inject, Injectable } from '@nestjs/common';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';

export type EnforcementEndpoint = 'check-create' | 'check-update' | 'on-end';

export type EnforcementAnswer =
  | { readonly kind: 'allowed' }
  | { readonly kind: 'denied'; readonly message: string }
  /** The service gave no usable answer: timed out, unreachable, or a status other than 2xx and 403. */
  | { readonly kind: 'failed'; readonly reason: string };

/** What Blazar answers when a 403 carries no message of its own; the service's body is never shown. */
export const GENERIC_DENY_MESSAGE = 'External service enforcement filter denied the request.';

/** The longest 403 message passed on to the caller. */
const MOST_MESSAGE_CHARS = 1000;

/**
 * The HTTP side of an external usage-enforcement service (`[enforcement] external_url`), as
 * Blazar's ExternalServiceFilter calls it: a JSON POST to `{url}/{endpoint}` with the static
 * token in X-Auth-Token; 204 (any 2xx) allows, 403 denies with the body's `message`.
 */
@Injectable()
export class EnforcementClient {
  constructor(@Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig) {}

  enabled(): boolean {
    return this.config.enforcement.external_url !== null;
  }

  /** Whether a failed call lets the booking through (`external_fail_open`). */
  failsOpen(): boolean {
    return this.config.enforcement.external_fail_open;
  }

  async post(endpoint: EnforcementEndpoint, body: unknown): Promise<EnforcementAnswer> {
    const base = this.config.enforcement.external_url!.replace(/\/+$/, '');
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.config.enforcement.external_token) headers['X-Auth-Token'] = this.config.enforcement.external_token;
    let response: Response;
    try {
      response = await fetch(`${base}/${endpoint}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.enforcement.external_timeout * 1000),
      });
    } catch (err) {
      const cause = (err as Error).name === 'TimeoutError' ? 'timed out' : String((err as Error).cause ?? err);
      return { kind: 'failed', reason: `POST ${endpoint}: ${cause}` };
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 200 && response.status < 300) return { kind: 'allowed' };
    if (response.status === 403) return { kind: 'denied', message: denialMessage(text) };
    return { kind: 'failed', reason: `POST ${endpoint} answered ${response.status}` };
  }
}

function denialMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown } | null)?.message;
    if (typeof message === 'string' && message.trim() !== '') return message.slice(0, MOST_MESSAGE_CHARS);
  } catch {
    // Not JSON: as Blazar, the caller gets the generic message rather than whatever the body was.
  }
  return GENERIC_DENY_MESSAGE;
}

import * as http from 'node:http';
import * as https from 'node:https';
import { Inject, Injectable } from '@nestjs/common';
import { WEBHOOK_SETTINGS, WebhookSettings } from './webhook-settings';
import { TargetRefused, WebhookTargets } from './webhook-targets';

/** Characters of an answer's body kept with the delivery, enough to recognise an error page. */
export const EXCERPT_CHARS = 255;

export interface PostOutcome {
  /** 2xx: delivered. Anything else (redirects included, which are never followed): failed. */
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
  readonly excerpt: string | null;
}

/**
 * POSTs one delivery: a new connection each time (no pooled connection outlives the address
 * check of its look-up), the address check of WebhookTargets, one time-out for the whole
 * exchange, redirects never followed, and only the first characters of the answer read.
 */
@Injectable()
export class WebhookHttp {
  constructor(
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    private readonly targets: WebhookTargets,
  ) {}

  async post(target: string, body: string, headers: Readonly<Record<string, string>>): Promise<PostOutcome> {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return failure(null, `not a URL: ${target}`);
    }
    const refused = this.targets.literalRefusal(url);
    if (refused) return failure(null, `refused: ${refused}`);
    try {
      return await this.exchange(url, body, headers);
    } catch (err) {
      const prefix = err instanceof TargetRefused ? 'refused: ' : '';
      return failure(null, `${prefix}${(err as Error).message}`);
    }
  }

  private exchange(url: URL, body: string, headers: Readonly<Record<string, string>>): Promise<PostOutcome> {
    const timeoutMs = this.settings.timeoutMs;
    return new Promise((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        agent: false,
        lookup: this.targets.lookup,
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      });
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      request.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      request.once('response', (response) => {
        const status = response.statusCode ?? 0;
        let text = '';
        const done = () => {
          clearTimeout(timer);
          response.destroy();
          resolve(outcome(status, response.headers.location, printable(text)));
        };
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          if (text.length >= EXCERPT_CHARS) done();
        });
        response.once('end', done);
        response.once('error', done);
      });
      request.end(body);
    });
  }
}

function outcome(status: number, location: string | undefined, excerpt: string): PostOutcome {
  const kept = excerpt === '' ? null : excerpt;
  if (status >= 200 && status < 300) return { ok: true, status, error: null, excerpt: kept };
  if (status >= 300 && status < 400) {
    return { ok: false, status, error: `redirect to ${location ?? '(no location)'} not followed`, excerpt: kept };
  }
  return { ok: false, status, error: `answered HTTP ${status}`, excerpt: kept };
}

function failure(status: number | null, error: string): PostOutcome {
  return { ok: false, status, error, excerpt: null };
}

/** The excerpt as printable ASCII, so any column character set stores it. */
function printable(text: string): string {
  return text.slice(0, EXCERPT_CHARS).replace(/[^\x20-\x7e]/g, '?');
}

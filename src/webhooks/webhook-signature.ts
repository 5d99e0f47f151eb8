import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-ESI-Leap-Signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the webhook's secret>`: the
 * timestamp is signed with the body, so a receiver that refuses old timestamps also refuses
 * a recorded delivery played again (docs/lease-lifecycle.md, "Webhooks").
 */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

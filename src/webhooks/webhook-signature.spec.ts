import { createHmac } from 'node:crypto';
import { signatureHeader } from './webhook-signature';

describe('signatureHeader', () => {
  it('is the HMAC-SHA256 of "<t>.<body>" in hex, with the timestamp', () => {
    const body = '{"id":7,"event_type":"esi_leap.lease.end_soon"}';
    // Computed independently, as a receiver would.
    const expected = createHmac('sha256', 'whsec').update(`1700000000.${body}`).digest('hex');
    expect(signatureHeader('whsec', body, 1700000000)).toBe(`t=1700000000,v1=${expected}`);
  });
});

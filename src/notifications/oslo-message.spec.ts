import { UtcTime } from '../common/time';
import { osloBody, osloMessage } from './oslo-message';

const NOW = '2025-03-26 14:00:31.123456' as UtcTime;

describe('oslo message and envelope', () => {
  const message = osloMessage(
    'esi_leap.lease.fulfill.end',
    { payload: { a: 1 }, priority: 'INFO', messageId: '0f1d4c9e-2b1a-4a53-9d0e-5d3f2e7c9a10' },
    'esi-leap-manager.host-1',
    NOW,
  );

  it('carries the fields a listener reads, a Python timestamp and a unique id derived from the message id', () => {
    expect(message).toMatchObject({
      message_id: '0f1d4c9e-2b1a-4a53-9d0e-5d3f2e7c9a10',
      publisher_id: 'esi-leap-manager.host-1',
      event_type: 'esi_leap.lease.fulfill.end',
      priority: 'INFO',
      payload: { a: 1 },
      timestamp: '2025-03-26 14:00:31.123456',
      _unique_id: '0f1d4c9e2b1a4a539d0e5d3f2e7c9a10',
      _context_auth_token: null,
    });
    expect(message._context_request_id).toMatch(/^req-[0-9a-f-]{36}$/);
  });

  it('drops the fraction of a whole-second timestamp, like str(datetime)', () => {
    const whole = osloMessage('e', { payload: {}, priority: 'ERROR', timestamp: '2025-03-26 14:00:31.000000' as UtcTime }, 'p', NOW);
    expect(whole.timestamp).toBe('2025-03-26 14:00:31');
    expect(whole.message_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('v2 double-encodes the message; v1 sends it bare', () => {
    const v2 = JSON.parse(osloBody(message, 'messagingv2').toString('utf8'));
    expect(Object.keys(v2)).toEqual(['oslo.version', 'oslo.message']);
    expect(v2['oslo.version']).toBe('2.0');
    expect(typeof v2['oslo.message']).toBe('string');
    expect(JSON.parse(v2['oslo.message'])).toEqual(message);
    expect(JSON.parse(osloBody(message, 'messaging').toString('utf8'))).toEqual(message);
  });
});

import { createHash } from 'node:crypto';
import { ClientError, InvalidTokenTTL } from '../../common/errors/esi-leap.exceptions';
import { consoleAccessUrl, hashConsoleToken, newConsoleToken, parseTokenTtl, tokenExpiry } from './console-token';

describe('console tokens', () => {
  it('are UUID v4 strings, stored as their SHA-256 hex digest', () => {
    const token = newConsoleToken();
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newConsoleToken()).not.toBe(token);
    expect(hashConsoleToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
  });

  describe('parseTokenTtl follows Python int()', () => {
    it.each([
      [undefined, 600],
      [null, 600],
      [30, 30],
      [30.9, 30],
      ['10', 10],
      [' +7 ', 7],
      ['1_000', 1000],
      ['-5', -5],
      [true, 1],
    ])('%p → %p', (raw, ttl) => {
      expect(parseTokenTtl(raw, 600)).toBe(ttl);
    });

    it.each([
      ['abc', "invalid literal for int() with base 10: 'abc'"],
      ['', "invalid literal for int() with base 10: ''"],
      ['1.5', "invalid literal for int() with base 10: '1.5'"],
      [[1], "int() argument must be a string, a bytes-like object or a real number, not 'list'"],
      [{}, "int() argument must be a string, a bytes-like object or a real number, not 'dict'"],
    ])('%p → 400 %s', (raw, message) => {
      expect(() => parseTokenTtl(raw, 600)).toThrow(new ClientError(message));
    });
  });

  it('expires = floor(now) + ttl; ttl <= 0 or past the INTEGER column is InvalidTokenTTL (400)', () => {
    expect(tokenExpiry(1000.9, 30)).toBe(1030);
    for (const ttl of [0, -1, 2 ** 31]) {
      expect(() => tokenExpiry(1000, ttl)).toThrow(InvalidTokenTTL);
    }
    expect(new InvalidTokenTTL()).toMatchObject({ status: 400, message: 'An unknown exception occurred.' });
  });

  it('access URL: the public URL when set, else ws://host_address:port', () => {
    const listen = { publicUrl: null, hostAddress: '0.0.0.0', port: 6083 };
    expect(consoleAccessUrl(listen, 't')).toBe('ws://0.0.0.0:6083/?token=t');
    expect(consoleAccessUrl({ ...listen, hostAddress: '::1' }, 't')).toBe('ws://[::1]:6083/?token=t');
    expect(consoleAccessUrl({ ...listen, publicUrl: 'wss://console.example.com/' }, 't')).toBe(
      'wss://console.example.com/?token=t',
    );
    expect(consoleAccessUrl({ ...listen, publicUrl: 'wss://example.com/serial' }, 't')).toBe(
      'wss://example.com/serial/?token=t',
    );
  });
});

import { ConfigError } from '../config/config-error';
import { parseRabbitTransportUrl } from './transport-url';

describe('parseRabbitTransportUrl', () => {
  const parse = (url: string, ssl = false) => parseRabbitTransportUrl(url, '[DEFAULT] transport_url', ssl).map((b) => b.url);

  it('a rabbit:// URL without hosts is the local broker with guest credentials and the default vhost', () => {
    expect(parse('rabbit://')).toEqual(['amqp://guest:guest@localhost:5672/%2F']);
  });

  it('keeps every host, in order, with its own credentials and the shared vhost', () => {
    expect(parse('rabbit://u1:p%40ss@h1:5673,u2:pw@h2/esi')).toEqual([
      'amqp://u1:p%40ss@h1:5673/esi',
      'amqp://u2:pw@h2:5672/esi',
    ]);
  });

  it('supports IPv6 hosts and TLS', () => {
    expect(parse('rabbit://u:p@[::1]:5671/', true)).toEqual(['amqps://u:p@[::1]:5671/%2F']);
  });

  it('never shows the password in the redacted form', () => {
    expect(parseRabbitTransportUrl('rabbit://u:secret@h/', 'x', false)[0].redacted).toBe('amqp://u:***@h:5672/%2F');
  });

  it.each(['kafka://h:9092', 'fake://', 'not a url'])('rejects %s', (url) => {
    expect(() => parse(url)).toThrow(ConfigError);
  });
});

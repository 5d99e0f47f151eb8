import {
  boolOpt,
  choiceOpt,
  floatOpt,
  fromNamespace,
  hostOpt,
  intListOpt,
  intOpt,
  InvalidOptionValue,
  listOpt,
  multiStrOpt,
  parseOptionValue,
  portOpt,
  strOpt,
  UNSET,
  UnplacedOption,
  uriOpt,
} from './option-types';

const parse = (def: UnplacedOption<unknown>, ...raws: string[]) => parseOptionValue(def, raws);
const reason = (def: UnplacedOption<unknown>, raw: string): string => {
  try {
    parse(def, raw);
  } catch (err) {
    if (err instanceof InvalidOptionValue) return err.reason;
    throw err;
  }
  throw new Error(`'${raw}' was accepted`);
};

describe('option types', () => {
  describe('bool', () => {
    const def = boolOpt('b', false);
    it.each(['true', 'TRUE', 'Yes', 'on', '1'])('%s is true', (raw) => expect(parse(def, raw)).toBe(true));
    it.each(['false', 'False', 'NO', 'off', '0'])('%s is false', (raw) => expect(parse(def, raw)).toBe(false));
    it.each(['', 'y', 'enabled', '2'])('%j is rejected', (raw) => {
      expect(reason(def, raw)).toBe('expected a boolean (true/false, yes/no, on/off, 1/0)');
    });
  });

  describe('int', () => {
    it('accepts signed integers, surrounding spaces allowed', () => {
      expect(parse(intOpt('i'), ' -12 ')).toBe(-12);
      expect(parse(intOpt('i'), '+7')).toBe(7);
    });
    it.each(['1.5', '1e3', 'abc', '0x10', '99999999999999999999'])('rejects %s', (raw) => {
      expect(reason(intOpt('i'), raw)).toBe('expected an integer');
    });
    it('treats an empty value as unset, as oslo does', () =>
      expect(parse(intOpt('i', { default: 5 }), '')).toBe(UNSET));
    it('enforces min and max', () => {
      const def = intOpt('i', { default: 5, min: 1, max: 10 });
      expect(parse(def, '1')).toBe(1);
      expect(parse(def, '10')).toBe(10);
      expect(reason(def, '0')).toBe('expected an integer between 1 and 10');
      expect(reason(def, '11')).toBe('expected an integer between 1 and 10');
      expect(reason(intOpt('i', { min: 1 }), '0')).toBe('expected an integer >= 1');
      expect(reason(intOpt('i', { max: 3 }), '4')).toBe('expected an integer <= 3');
    });
  });

  describe('port', () => {
    const def = portOpt('p', 7777);
    it('accepts 0..65535', () => {
      expect(parse(def, '0')).toBe(0);
      expect(parse(def, '65535')).toBe(65535);
    });
    it.each(['abc', '-1', '65536'])('rejects %s', (raw) => {
      expect(reason(def, raw)).toBe('expected an integer between 0 and 65535');
    });
  });

  describe('float', () => {
    it('accepts integers, decimals and exponents', () => {
      expect(parse(floatOpt('f'), '2')).toBe(2);
      expect(parse(floatOpt('f'), '.5')).toBe(0.5);
      expect(parse(floatOpt('f'), '1e2')).toBe(100);
    });
    it('rejects other text and enforces bounds', () => {
      expect(reason(floatOpt('f'), 'fast')).toBe('expected a number');
      expect(reason(floatOpt('f', { min: 0 }), '-0.1')).toBe('expected a number >= 0');
    });
  });

  describe('str with choices', () => {
    it('is case-sensitive by default', () => {
      const def = choiceOpt('c', ['debug', 'info'], 'info');
      expect(parse(def, 'debug')).toBe('debug');
      expect(reason(def, 'DEBUG')).toBe('expected one of: debug, info');
    });
    it('shows an empty choice as quotes', () => {
      expect(reason(choiceOpt('c', ['ERROR', ''], 'ERROR'), 'x')).toBe("expected one of: ERROR, ''");
    });
    it('keeps the spelling given when matching ignores case', () => {
      const def = strOpt('c', { default: 'None', choices: ['None', 'MAC'], ignoreCase: true });
      expect(parse(def, 'mac')).toBe('mac');
      expect(reason(def, 'rot13')).toBe('expected one of: None, MAC (any case)');
    });
    it('accepts anything, including an empty string, without choices', () => {
      expect(parse(strOpt('s'), '')).toBe('');
      expect(parse(strOpt('s'), 'a\nb')).toBe('a\nb');
    });
  });

  describe('list', () => {
    it('splits on commas, trims items and drops empty ones', () => {
      expect(parse(listOpt('l'), ' a , b,,c , ')).toEqual(['a', 'b', 'c']);
      expect(parse(listOpt('l'), '')).toEqual([]);
    });
    it('takes the last occurrence, like any single-valued option', () => {
      expect(parse(listOpt('l'), 'a,b', 'c')).toEqual(['c']);
    });
    it('validates integer items', () => {
      expect(parse(intListOpt('l'), '503, 429')).toEqual([503, 429]);
      expect(reason(intListOpt('l'), '503,x')).toBe('expected a comma-separated list of integers');
    });
    it('validates items against a format', () => {
      const def = listOpt('l', { default: [], itemFormat: { pattern: /^\w+:\w+$/, description: 'id:name pairs' } });
      expect(parse(def, 'a:b, c:d')).toEqual(['a:b', 'c:d']);
      expect(reason(def, 'a:b,c')).toBe('expected a comma-separated list of id:name pairs');
    });
  });

  describe('multi-valued', () => {
    it('takes every occurrence as one item, commas included', () => {
      expect(parse(multiStrOpt('m', []), 'messagingv2', 'log,x')).toEqual(['messagingv2', 'log,x']);
    });
  });

  describe('host address', () => {
    const def = hostOpt('h', '0.0.0.0');
    it.each(['0.0.0.0', '127.0.0.1', '::', '::1', 'fe80::1', 'localhost', 'api.example.com', 'my-host.'])(
      'accepts %s',
      (raw) => expect(parse(def, raw)).toBe(raw),
    );
    it.each(['', '256.1.1.1', '-bad.example', 'bad_host', 'host.123', 'a b'])('rejects %j', (raw) => {
      expect(reason(def, raw)).toBe('expected an IP address or a host name');
    });
  });

  describe('uri', () => {
    const def = uriOpt('u', ['ws', 'wss']);
    it('accepts URLs with an allowed scheme', () => {
      expect(parse(def, 'wss://console.example.com:443/')).toBe('wss://console.example.com:443/');
    });
    it.each(['http://console.example.com', 'not a url'])('rejects %s', (raw) => {
      expect(reason(def, raw)).toBe('expected a ws:// or wss:// URL');
    });
  });

  describe('fromNamespace', () => {
    it('stamps the origin and marks our own options in their help', () => {
      const placed = fromNamespace('esi-leap-ts', { a: strOpt('Does a.') });
      expect(placed.a.origin).toBe('esi-leap-ts');
      expect(placed.a.help).toBe('esi-leap-ts addition. Does a.');
      expect(fromNamespace('oslo.db', { b: strOpt('Does b.') }).b.help).toBe('Does b.');
    });
  });
});

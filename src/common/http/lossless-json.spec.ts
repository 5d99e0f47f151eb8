import {
  isJsonObject,
  JsonDepthError,
  JsonNumber,
  JsonSyntaxError,
  parseJson,
  pythonFloatText,
  stringifyJson,
} from './lossless-json';

/** What the same text gives after a round trip through parse and write. */
const roundTrip = (text: string) => stringifyJson(parseJson(text));

describe('lossless JSON', () => {
  describe('numbers, as Python json reads and writes them', () => {
    it.each([
      // integers: exact, whatever their size
      ['{"n":12345678901234567890}', '{"n":12345678901234567890}'],
      ['{"n":-98765432109876543210987654321}', '{"n":-98765432109876543210987654321}'],
      ['{"n":9007199254740993}', '{"n":9007199254740993}'],
      ['{"n":9007199254740991}', '{"n":9007199254740991}'],
      ['[0,-0,1,-1,42]', '[0,0,1,-1,42]'],
      // floats: Python's repr()
      ['{"f":1.0}', '{"f":1.0}'],
      ['{"f":-0.0}', '{"f":-0.0}'],
      ['{"f":2.50}', '{"f":2.5}'],
      ['{"f":1e2}', '{"f":100.0}'],
      ['{"f":1E+2}', '{"f":100.0}'],
      ['{"f":1e-7}', '{"f":1e-07}'],
      ['{"f":0.0001}', '{"f":0.0001}'],
      ['{"f":0.00001}', '{"f":1e-05}'],
      ['{"f":1e16}', '{"f":1e+16}'],
      ['{"f":1234567890123456.0}', '{"f":1234567890123456.0}'],
      ['{"f":12345678901234567.0}', '{"f":1.2345678901234568e+16}'],
      ['{"f":1e22}', '{"f":1e+22}'],
      ['{"f":1.7976931348623157e308}', '{"f":1.7976931348623157e+308}'],
      ['{"f":5e-324}', '{"f":5e-324}'],
      ['{"f":0.1}', '{"f":0.1}'],
    ])('%s is written back as %s', (input, output) => {
      expect(roundTrip(input)).toBe(output);
    });

    it('keeps plain numbers where JavaScript writes them as Python does', () => {
      expect(parseJson('{"a":1,"b":2.5,"c":-3,"d":0.1}')).toEqual({ a: 1, b: 2.5, c: -3, d: 0.1 });
    });

    it('wraps the others, with their Python type', () => {
      const value = parseJson('{"big":12345678901234567890,"one":1.0}') as Record<string, JsonNumber>;
      expect(value.big).toBeInstanceOf(JsonNumber);
      expect(value.big.isInteger).toBe(true);
      expect(value.one.text).toBe('1.0');
      expect(value.one.isInteger).toBe(false);
      expect(Number(value.one)).toBe(1);
      // Outside stringifyJson (a plain JSON.stringify elsewhere) a wrapper is the nearest double.
      expect(JSON.stringify(value)).toBe('{"big":12345678901234567000,"one":1}');
    });

    it('refuses a float beyond the double range (Python would write the non-JSON Infinity)', () => {
      expect(() => parseJson('{"f":1e400}')).toThrow(JsonSyntaxError);
      expect(() => parseJson('[-1.5e999]')).toThrow(JsonSyntaxError);
      // An integer is exact at any size.
      expect(roundTrip(`[${'9'.repeat(400)}]`)).toBe(`[${'9'.repeat(400)}]`);
    });

    it('matches Python repr() for doubles across the range', () => {
      expect(pythonFloatText(123.456)).toBe('123.456');
      expect(pythonFloatText(-1e-5)).toBe('-1e-05');
      expect(pythonFloatText(1e100)).toBe('1e+100');
      expect(pythonFloatText(9999999999999998)).toBe('9999999999999998.0');
      expect(pythonFloatText(0.30000000000000004)).toBe('0.30000000000000004');
    });
  });

  describe('the parser agrees with JSON.parse', () => {
    // Long enough (and with a float) to take the own parser rather than the JSON.parse shortcut.
    const pad = (text: string) => `[1.5, ${text}, "${'x'.repeat(120)}"]`;

    it.each([
      '{"a": [true, false, null, "s", {"nested": {"deep": []}}], "b": {}}',
      '"\\u00e9\\ud83e\\udd84 \\n\\t\\"\\\\\\/\\b\\f\\r"',
      '"\\ud800 lone surrogate"',
      '{"a": 1, "a": 2}',
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {}}}',
      ' \t\r\n[ 1 , 2 ]\n',
      '"日本語 🦄"',
    ])('reads %s', (text) => {
      const ours = parseJson(pad(text)) as unknown[];
      const native = JSON.parse(pad(text)) as unknown[];
      expect(ours[1]).toEqual(native[1]);
      expect(Object.getPrototypeOf(ours[1])).toBe(Object.getPrototypeOf(native[1]));
      expect(stringifyJson(ours[1])).toBe(JSON.stringify(native[1]));
    });

    it.each([
      '',
      '{',
      '[1,]',
      '{"a" 1}',
      '{"a":1,}',
      '01',
      '1.',
      '.5',
      '-',
      '+1',
      '"\u0001"',
      '"\\x"',
      '"\\u12"',
      'nul',
      'NaN',
      'Infinity',
      '[1] x',
      "{'a':1}",
      '\ufeff{}',
    ])('refuses %j as JSON.parse does', (text) => {
      expect(() => JSON.parse(text)).toThrow();
      expect(() => parseJson(text)).toThrow(JsonSyntaxError);
      expect(() => parseJson(pad(text))).toThrow(JsonSyntaxError);
    });

    it('keeps __proto__ an own property, never the prototype', () => {
      const value = parseJson(pad('{"__proto__": {"polluted": 1.0}}')) as unknown[];
      const object = value[1] as Record<string, unknown>;
      expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
      expect(Object.keys(object)).toEqual(['__proto__']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('nesting', () => {
    it('reads up to the limit and refuses one level more, without recursing past it', () => {
      const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
      expect(() => parseJson(nested(100), { maxDepth: 100 })).not.toThrow();
      expect(() => parseJson(nested(101), { maxDepth: 100 })).toThrow(JsonDepthError);
      expect(() => parseJson(`{"a":${nested(100)}}`, { maxDepth: 100 })).toThrow(JsonDepthError);
      // A 100k-deep document would overflow a recursive reader's stack.
      expect(() => parseJson(nested(100_000), { maxDepth: 100 })).toThrow(JsonDepthError);
    });
  });

  describe('writing', () => {
    it('writes a string that looks like a marker as a string', () => {
      const text = stringifyJson({ s: '\u0000deadbeef:1', n: new JsonNumber('12345678901234567890') });
      expect(text).toBe('{"s":"\\u0000deadbeef:1","n":12345678901234567890}');
    });

    it('writes undefined as null, like a JSON body of nothing', () => {
      expect(stringifyJson(undefined)).toBe('null');
    });
  });

  it('isJsonObject: dicts only', () => {
    expect(isJsonObject({})).toBe(true);
    expect(isJsonObject([])).toBe(false);
    expect(isJsonObject(null)).toBe(false);
    expect(isJsonObject(new JsonNumber('1.0'))).toBe(false);
  });
});

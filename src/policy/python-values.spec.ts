import { dictGet, pyFloatRepr, pyRepr, pyStr } from './python-values';
import { pythonLiteralStr } from './python-literal';
import { interpolateTarget } from './target-interpolation';

describe('pyStr / pyRepr', () => {
  it.each<[unknown, string]>([
    ['abc', 'abc'],
    [null, 'None'],
    [true, 'True'],
    [false, 'False'],
    [42, '42'],
    [1.5, '1.5'],
    [['a', "it's", 1, null], `['a', "it's", 1, None]`],
    [{ a: [true], 'b.c': 'x' }, "{'a': [True], 'b.c': 'x'}"],
  ])('str(%j) is %s', (value, expected) => {
    expect(pyStr(value)).toBe(expected);
  });

  it('quotes strings inside containers like repr()', () => {
    expect(pyRepr(['a\\b', 'x\ny'])).toBe(String.raw`['a\\b', 'x\ny']`);
  });
});

describe('pyFloatRepr', () => {
  it.each<[number, string]>([
    [1000, '1000.0'],
    [123.456, '123.456'],
    [-0.5, '-0.5'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e16, '1e+16'],
    [12345678901234568, '1.2345678901234568e+16'],
    [1234567890123456, '1234567890123456.0'],
    [Infinity, 'inf'],
  ])('repr(%d) is %s', (value, expected) => {
    expect(pyFloatRepr(value)).toBe(expected);
  });
});

describe('pythonLiteralStr', () => {
  it.each<[string, string | null]>([
    ['True', 'True'],
    ['None', 'None'],
    ['123', '123'],
    ['-7', '-7'],
    ['1_000', '1000'],
    ['0x1F', '31'],
    ['0o17', '15'],
    ['0b101', '5'],
    ['000', '0'],
    ['1.50', '1.5'],
    ['1e3', '1000.0'],
    ['.5', '0.5'],
    ["'abc'", 'abc'],
    ['"a\\tb"', 'a\tb'],
    ["'it\\'s'", "it's"],
    ['project_id', null],
    ['user.enabled', null],
    ['true', null],
    ['007', null],
    ['1a', null],
    ["'unterminated", null],
    ['[1]', null],
  ])('%s gives %j', (kind, expected) => {
    expect(pythonLiteralStr(kind)).toBe(expected);
  });
});

describe('interpolateTarget', () => {
  const target = { 'offer.project_id': 'p1', n: null, 'a(b)': 'nested' };

  it('renders %(key)s with whole keys, %% and plain text', () => {
    expect(interpolateTarget('%(offer.project_id)s', target)).toBe('p1');
    expect(interpolateTarget('x-%(n)s-%%', target)).toBe('x-None-%');
    expect(interpolateTarget('%(a(b))s', target)).toBe('nested');
    expect(interpolateTarget('plain', target)).toBe('plain');
  });

  it('gives null for a missing key or a conversion it does not render', () => {
    expect(interpolateTarget('%(missing)s', target)).toBeNull();
    expect(interpolateTarget('%(n)r', target)).toBeNull();
    expect(interpolateTarget('%s', target)).toBeNull();
    expect(interpolateTarget('100%', target)).toBeNull();
    expect(interpolateTarget('%(unclosed', target)).toBeNull();
  });
});

describe('dictGet', () => {
  it('reads own keys of plain objects only', () => {
    expect(dictGet({ a: 1 }, 'a')).toEqual({ found: true, value: 1 });
    expect(dictGet({ a: null }, 'a')).toEqual({ found: true, value: null });
    expect(dictGet({ a: undefined }, 'a')).toEqual({ found: false });
    expect(dictGet({}, 'constructor')).toEqual({ found: false });
    expect(dictGet(['x'], '0')).toEqual({ found: false });
    expect(dictGet('abc', 'length')).toEqual({ found: false });
  });
});

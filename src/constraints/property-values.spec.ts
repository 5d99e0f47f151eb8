import * as fc from 'fast-check';
import {
  compareCodePoints,
  lookupProperty,
  parseCapabilities,
  parseMagnitude,
  propertyMagnitude,
} from './property-values';

describe('parseMagnitude', () => {
  it.each([
    ['16', 16],
    [' 16 ', 16],
    ['+16', 16],
    ['-16', -16],
    ['016', 16],
    ['2.5', 2.5],
    ['5.', 5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['1KB', 1000],
    ['1kB', 1000],
    ['1MB', 1e6],
    ['2GB', 2e9],
    ['1TB', 1e12],
    ['1KiB', 1024],
    ['1kib', 1024],
    ['1MiB', 1024 ** 2],
    ['256GiB', 256 * 1024 ** 3],
    ['2 TiB', 2 * 1024 ** 4],
    ['0.5GiB', 512 * 1024 ** 2],
  ])('%j is %d', (text, expected) => {
    expect(parseMagnitude(text)).toBe(expected);
  });

  it.each([
    '',
    'abc',
    '0x10',
    'Infinity',
    'NaN',
    '1_000',
    '1e',
    'e5',
    '.',
    '-',
    '16 G',
    '16PB',
    '16B',
    '1.2.3',
    '16GiB!',
    'x86_64',
  ])('%j is not a number', (text) => {
    expect(parseMagnitude(text)).toBeNull();
  });

  it('reads every JavaScript-printed finite number back as itself', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (n) => parseMagnitude(String(n)) === n || Object.is(n, -0),
      ),
    );
  });
});

describe('propertyMagnitude', () => {
  it('takes JSON numbers as they are and strings when they parse', () => {
    expect(propertyMagnitude(40)).toBe(40);
    expect(propertyMagnitude(2.5)).toBe(2.5);
    expect(propertyMagnitude('40')).toBe(40);
    expect(propertyMagnitude('4GiB')).toBe(4 * 2 ** 30);
    expect(propertyMagnitude(true)).toBeNull();
    expect(propertyMagnitude(null)).toBeNull();
    expect(propertyMagnitude({ size: 1 })).toBeNull();
    expect(propertyMagnitude([1])).toBeNull();
  });
});

describe('compareCodePoints', () => {
  it('orders by code point where UTF-16 units would not', () => {
    // U+1F600 (a surrogate pair) is after U+FF5E in code points, before it in UTF-16 units.
    expect('\u{1F600}' < '\uFF5E').toBe(true);
    expect(compareCodePoints('\u{1F600}', '\uFF5E')).toBeGreaterThan(0);
    expect(compareCodePoints('a\u{1F600}', 'a\u{1F601}')).toBeLessThan(0);
  });

  it('agrees with sorting the code point arrays, on any strings', () => {
    const byPoints = (a: string, b: string) => {
      const x = [...a].map((c) => c.codePointAt(0)!);
      const y = [...b].map((c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return Math.sign(x[i] - y[i]);
      return Math.sign(x.length - y.length);
    };
    const text = fc.string({
      unit: fc.oneof(fc.constantFrom('a', 'b', '\uFF5E', '\uE000'), fc.constantFrom('\u{1F600}', '\u{10000}')),
    });
    fc.assert(fc.property(text, text, (a, b) => Math.sign(compareCodePoints(a, b)) === byPoints(a, b)));
  });
});

describe('parseCapabilities', () => {
  it('reads Ironic capability strings and skips entries it cannot read', () => {
    expect(parseCapabilities('boot_mode:uefi,cpu_vt:true')).toEqual({ boot_mode: 'uefi', cpu_vt: 'true' });
    expect(parseCapabilities(' boot_mode : bios , ,junk,:x,a:b:c')).toEqual({ boot_mode: 'bios', a: 'b:c' });
    expect(parseCapabilities('')).toEqual({});
  });
});

describe('lookupProperty', () => {
  const node = {
    cpus: 40,
    memory_mb: '262144',
    capabilities: 'boot_mode:uefi,cpu_vt:true',
    root_device: { size: 100, hints: { vendor: 'Dell' } },
    'net.speed': '25G',
    gpu: null,
    list: [1, 2],
  };

  it.each([
    [['cpus'], 40],
    [['memory_mb'], '262144'],
    [['capabilities'], 'boot_mode:uefi,cpu_vt:true'],
    [['capabilities', 'boot_mode'], 'uefi'],
    [['capabilities', 'cpu_vt'], 'true'],
    [['capabilities', 'secure_boot'], undefined],
    [['root_device', 'size'], 100],
    [['root_device', 'hints', 'vendor'], 'Dell'],
    [['root_device'], { size: 100, hints: { vendor: 'Dell' } }],
    [['net', 'speed'], '25G'],
    [['gpu'], undefined],
    [['missing'], undefined],
    [['cpus', 'x'], undefined],
    [['memory_mb', 'x'], undefined],
    [['list', '0'], undefined],
    [['root_device', 'hints', 'vendor', 'x'], undefined],
  ])('%j is %j', (path, expected) => {
    expect(lookupProperty(node, path)).toEqual(expected);
  });

  it('finds nothing in properties that are not an object', () => {
    expect(lookupProperty(null, ['cpus'])).toBeUndefined();
    expect(lookupProperty('cpus', ['cpus'])).toBeUndefined();
    expect(lookupProperty([{ cpus: 1 }], ['cpus'])).toBeUndefined();
  });

  it('reads a capabilities object as it is, and only a string under "capabilities" as a list', () => {
    expect(lookupProperty({ capabilities: { boot_mode: 'bios' } }, ['capabilities', 'boot_mode'])).toBe('bios');
    expect(lookupProperty({ notes: 'boot_mode:uefi' }, ['notes', 'boot_mode'])).toBeUndefined();
  });

  it('does not reach inherited members', () => {
    expect(lookupProperty({}, ['constructor'])).toBeUndefined();
    expect(lookupProperty({}, ['__proto__'])).toBeUndefined();
  });
});

import * as fc from 'fast-check';
import { InvalidConstraint } from '../common/errors/esi-leap.exceptions';
import { parseConstraint, parseConstraints } from './constraint-parser';

describe('parseConstraint', () => {
  it.each([
    ['cpus>=16', ['cpus'], '>=', [['16', 16]]],
    ['cpus <= 16', ['cpus'], '<=', [['16', 16]]],
    ['cpus>16', ['cpus'], '>', [['16', 16]]],
    ['cpus<16', ['cpus'], '<', [['16', 16]]],
    ['cpus==16', ['cpus'], '==', [['16', 16]]],
    ['cpus=16', ['cpus'], '==', [['16', 16]]],
    ['cpus!=16', ['cpus'], '!=', [['16', 16]]],
    ['  cpu_arch = x86_64  ', ['cpu_arch'], '==', [['x86_64', null]]],
    ['memory>=256GiB', ['memory'], '>=', [['256GiB', 256 * 2 ** 30]]],
    ['disk>=1.5 TB', ['disk'], '>=', [['1.5 TB', 1.5e12]]],
    [
      'gpu==a100|h100',
      ['gpu'],
      '==',
      [
        ['a100', null],
        ['h100', null],
      ],
    ],
    [
      'gpu != a100 | h100',
      ['gpu'],
      '!=',
      [
        ['a100', null],
        ['h100', null],
      ],
    ],
    ['capabilities.boot_mode==uefi', ['capabilities', 'boot_mode'], '==', [['uefi', null]]],
    ['root_device.size>=100', ['root_device', 'size'], '>=', [['100', 100]]],
    ['name==a=b', ['name'], '==', [['a=b', null]]],
    ['vendor==Dell Inc.', ['vendor'], '==', [['Dell Inc.', null]]],
    ['temp>=-4.5e1', ['temp'], '>=', [['-4.5e1', -45]]],
  ])('%s compares %j %s %j', (text, path, operator, values) => {
    const parsed = parseConstraint(text);
    expect(parsed).toEqual({
      kind: 'compare',
      text: text.trim(),
      path,
      operator,
      values: values.map(([t, magnitude]) => ({ text: t, magnitude })),
    });
  });

  it.each([
    ['gpu', 'present', ['gpu']],
    [' capabilities.cpu_vt ', 'present', ['capabilities', 'cpu_vt']],
    ['!gpu', 'absent', ['gpu']],
    ['! gpu', 'absent', ['gpu']],
    ['!capabilities.boot_mode', 'absent', ['capabilities', 'boot_mode']],
  ])('%s is a %s check of %j', (text, kind, path) => {
    expect(parseConstraint(text)).toEqual({ kind, text: text.trim(), path });
  });

  it.each([
    ['', 'empty constraint'],
    ['   ', 'empty constraint'],
    ['>=16', 'missing property name'],
    ['!=16', 'missing property name'],
    ['!', 'missing property name'],
    ['cpus>=', 'missing value'],
    ['cpus==  ', 'missing value'],
    ['cpus=>16', "a value may not start with '>'"],
    ['cpus===16', "a value may not start with '='"],
    ['cpus>=<16', "a value may not start with '<'"],
    ['cpus!16', "unknown operator '!1'"],
    ['cpus 16', "property name 'cpus 16' may not contain spaces or '|'"],
    ['a|b==1', "property name 'a|b' may not contain spaces or '|'"],
    ['a..b==1', "property name 'a..b' has an empty path segment"],
    ['.a==1', "property name '.a' has an empty path segment"],
    ['a.==1', "property name 'a.' has an empty path segment"],
    ['gpu==a100|', 'empty alternative'],
    ['gpu==|a100', 'empty alternative'],
    ['gpu==a100||h100', 'empty alternative'],
    ['cpus>=8|16', 'alternatives (a|b) only go with == or !='],
    ['!gpu==a100', 'an absence check (!key) takes no operator'],
    ['!!gpu', 'an absence check (!key) takes no operator'],
  ])('rejects %j: %s', (text, reason) => {
    let error: unknown;
    try {
      parseConstraint(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConstraint);
    const invalid = error as InvalidConstraint;
    expect(invalid.status).toBe(400);
    expect(invalid.constraint).toBe(text.trim());
    expect(invalid.message).toBe(`Invalid constraint '${text.trim()}': ${reason}.`);
  });

  it('names the first malformed constraint of a list', () => {
    expect(() => parseConstraints(['cpus>=16', 'gpu==', 'x>'])).toThrow("Invalid constraint 'gpu==': missing value.");
    expect(parseConstraints([])).toEqual([]);
  });

  it('either parses or throws InvalidConstraint, never anything else, on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ab.|!<>= 1\t'.split('')), maxLength: 12 }), (text) => {
        try {
          const parsed = parseConstraint(text);
          expect(parsed.text).toBe(text.trim());
          expect(parsed.path.every((s) => s !== '' && !/[\s|<>=!]/.test(s))).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidConstraint);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back what was written for any key, operator and value', () => {
    const segment = fc.stringMatching(/^[a-z_][a-z0-9_:-]{0,6}$/);
    const value = fc
      .stringMatching(/^[a-zA-Z0-9_.:+-][a-zA-Z0-9_.: +-]{0,8}$/)
      .map((v) => v.trim())
      .filter((v) => v !== '');
    const spelling = fc.constantFrom('==', '=', '!=', '>=', '<=', '>', '<');
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 3 }), spelling, value, (path, op, v) => {
        const parsed = parseConstraint(`${path.join('.')} ${op} ${v}`);
        expect(parsed).toMatchObject({ kind: 'compare', path, operator: op === '=' ? '==' : op });
        expect(parsed.kind === 'compare' && parsed.values.map((x) => x.text)).toEqual([v]);
      }),
    );
  });
});

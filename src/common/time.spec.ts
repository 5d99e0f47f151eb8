import fc from 'fast-check';
import { fromEpochMicros, toEpochMicros, UtcTime } from './time';

describe('toEpochMicros', () => {
  it.each([
    ['1970-01-01 00:00:00.000000', 0n],
    ['2040-01-01 00:00:00.000001', 2_208_988_800_000_001n],
    ['2024-02-29 12:34:56.789012', 1_709_210_096_789_012n],
    // Past the doubles' exact microseconds (about 2255) and at the end of the range.
    ['2300-01-01 00:00:00.000007', 10_413_792_000_000_007n],
    ['9999-12-31 23:59:59.999999', 253_402_300_799_999_999n],
    // Years below 100, which Date.UTC would read as 19xx.
    ['0001-01-01 00:00:00.000000', -62_135_596_800_000_000n],
    ['0099-12-31 23:59:59.999999', -59_011_459_200_000_001n],
    ['0100-01-01 00:00:00.000000', -59_011_459_200_000_000n],
  ])('reads %s as %d', (text, micros) => {
    expect(toEpochMicros(text as UtcTime)).toBe(micros);
  });

  it('undoes fromEpochMicros over the whole range', () => {
    const min = -62_135_596_800_000_000n;
    const max = 253_402_300_799_999_999n;
    fc.assert(
      fc.property(fc.bigInt({ min, max }), (micros) => {
        expect(toEpochMicros(fromEpochMicros(micros))).toBe(micros);
      }),
      { numRuns: 5000 },
    );
  });

  it.each(['2040-01-01', '2040-01-01T00:00:00.000000', '2040-01-01 00:00:00', '2040-01-01 00:00:00.00000x'])(
    'refuses the non-canonical %p',
    (text) => {
      expect(() => toEpochMicros(text as UtcTime)).toThrow(TypeError);
    },
  );
});

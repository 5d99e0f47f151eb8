import * as fc from 'fast-check';
import { UtcTime } from '../../common/time';
import { mergeSpans, Span, spanFromUtc, spanToUtc, subtractSpans } from './spans';

const s = (start: number, end: number): Span => ({ start: BigInt(start), end: BigInt(end) });

/** The oracle: which unit cells [k, k+1) of a small grid the spans cover. */
const cells = (spans: readonly Span[], size: number) =>
  Array.from({ length: size }, (_, k) => spans.some((x) => x.start <= BigInt(k) && BigInt(k + 1) <= x.end));

const spanArb = fc
  .tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: -2, max: 10 }))
  .map(([a, len]) => s(a, a + len));

describe('mergeSpans', () => {
  it('joins overlapping and touching spans, drops empty ones', () => {
    expect(mergeSpans([s(5, 7), s(1, 3), s(3, 4), s(6, 9), s(20, 20), s(12, 11), s(10, 11)])).toEqual([
      s(1, 4),
      s(5, 9),
      s(10, 11),
    ]);
    expect(mergeSpans([])).toEqual([]);
  });

  it('covers exactly what the spans cover, with sorted, disjoint, non-touching spans', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { maxLength: 8 }), (spans) => {
        const merged = mergeSpans(spans);
        expect(cells(merged, 45)).toEqual(cells(spans, 45));
        merged.forEach((x, i) => {
          expect(x.start < x.end).toBe(true);
          if (i > 0) expect(merged[i - 1].end < x.start).toBe(true);
        });
      }),
    );
  });
});

describe('subtractSpans', () => {
  it('leaves the gaps between busy spans inside the bounds', () => {
    expect(subtractSpans(s(0, 20), [s(15, 25), s(2, 4), s(3, 6)])).toEqual([s(0, 2), s(6, 15)]);
    expect(subtractSpans(s(0, 20), [])).toEqual([s(0, 20)]);
    expect(subtractSpans(s(0, 20), [s(-5, 30)])).toEqual([]);
    expect(subtractSpans(s(5, 10), [s(0, 5), s(10, 12)])).toEqual([s(5, 10)]);
  });

  it('covers exactly the cells inside the bounds that no busy span covers', () => {
    fc.assert(
      fc.property(spanArb, fc.array(spanArb, { maxLength: 6 }), (within, busy) => {
        const free = subtractSpans(within, busy);
        const inside = cells([within], 45);
        const taken = cells(busy, 45);
        expect(cells(free, 45)).toEqual(inside.map((c, k) => c && !taken[k]));
        expect(mergeSpans(free)).toEqual(free);
      }),
    );
  });
});

describe('spanFromUtc', () => {
  it('keeps microseconds and round-trips up to the end of time', () => {
    const start = '2030-01-01 00:00:00.000001' as UtcTime;
    const end = '9999-12-31 23:59:59.999999' as UtcTime;
    const span = spanFromUtc(start, end);
    expect(span.start).toBe(BigInt(Date.UTC(2030, 0, 1)) * 1000n + 1n);
    expect(spanToUtc(span)).toEqual([start, end]);
  });
});

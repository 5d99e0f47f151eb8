import * as fc from 'fast-check';
import { Span } from './spans';
import { orderByTightestFit, RandomSource } from './tightest-fit';

interface Candidate {
  readonly name: string;
  readonly span: Span;
}
const c = (name: string, start: number, end: number): Candidate => ({
  name,
  span: { start: BigInt(start), end: BigInt(end) },
});
const window: Span = { start: 10n, end: 20n };
const names = (cs: Candidate[]) => cs.map((x) => x.name);
const order = (cs: Candidate[], random: RandomSource) => names(orderByTightestFit(cs, window, (x) => x.span, random));

/** A small deterministic generator (mulberry32), so the tests replay the same "random" orders. */
function seeded(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), state | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('orderByTightestFit', () => {
  it('puts the least slack around the window first and leaves out what does not hold it', () => {
    const candidates = [
      c('forever', 0, 1_000_000),
      c('exact', 10, 20),
      c('late', 12, 40),
      c('before', 5, 21),
      c('after', 10, 30),
      c('early-end', 0, 19),
    ];
    expect(order(candidates, seeded(1))).toEqual(['exact', 'before', 'after', 'forever']);
  });

  it('shuffles candidates of equal slack, and only among themselves', () => {
    // slack 0: x; slack 4: p, q, r (4 before, 4 after, or split); slack 9: z.
    const candidates = [c('z', 1, 20), c('p', 6, 20), c('q', 10, 24), c('x', 10, 20), c('r', 8, 22)];
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const result = order(candidates, seeded(seed));
      expect(result[0]).toBe('x');
      expect([...result.slice(1, 4)].sort()).toEqual(['p', 'q', 'r']);
      expect(result[4]).toBe('z');
      seen.add(result.slice(1, 4).join());
    }
    // Every order of the tie group comes up.
    expect(seen.size).toBe(6);
  });

  it('takes its random numbers from the source it is given', () => {
    const tie = [c('a', 10, 20), c('b', 10, 20), c('c', 10, 20)];
    // Fisher–Yates from the back: 0 swaps the last with the first each step.
    expect(order(tie, () => 0)).toEqual(['b', 'c', 'a']);
    expect(order(tie, () => 0.999)).toEqual(['a', 'b', 'c']);
  });

  it('returns every fitting candidate once, by non-decreasing slack, for any random source', () => {
    const candidate = fc
      .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 15, max: 30 }))
      .map(([s, e]) => c(`n${s}-${e}`, s, e));
    fc.assert(
      fc.property(
        fc.array(candidate, { maxLength: 12 }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })),
        (cs, stream) => {
          const it = stream[Symbol.iterator]();
          const result = orderByTightestFit(
            cs,
            window,
            (x) => x.span,
            () => it.next().value as number,
          );
          const fitting = cs.filter((x) => x.span.start <= window.start && window.end <= x.span.end);
          expect([...result].sort((a, b) => a.name.localeCompare(b.name))).toEqual(
            [...fitting].sort((a, b) => a.name.localeCompare(b.name)),
          );
          const slack = (x: Candidate) => Number(window.start - x.span.start + (x.span.end - window.end));
          for (let i = 1; i < result.length; i++) expect(slack(result[i - 1])).toBeLessThanOrEqual(slack(result[i]));
        },
      ),
    );
  });
});

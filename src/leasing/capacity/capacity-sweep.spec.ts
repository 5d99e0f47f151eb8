import * as fc from 'fast-check';
import { CapacityRequest, FreeSpan, ResourceFreeSpans, sweepCapacity } from './capacity-sweep';

const span = (start: number, end: number, source = `${start}-${end}`): FreeSpan<string> => ({
  start: BigInt(start),
  end: BigInt(end),
  source,
});
const fleet = (spec: Record<string, [number, number][]>): ResourceFreeSpans<string>[] =>
  Object.entries(spec).map(([resource, spans]) => ({ resource, free: spans.map(([s, e]) => span(s, e)) }));
const request = (r: Partial<Record<keyof CapacityRequest, number>>): CapacityRequest => ({
  count: r.count ?? 1,
  duration: BigInt(r.duration ?? 1),
  notBefore: BigInt(r.notBefore ?? 0),
  notAfter: BigInt(r.notAfter ?? 100),
  limit: r.limit ?? 10,
});
/** Windows as plain numbers and resource names, for readable expectations. */
const plain = (windows: ReturnType<typeof sweepCapacity<string>>) =>
  windows.map((w) => ({
    start: Number(w.start),
    end: Number(w.end),
    latestStart: Number(w.latestStart),
    resources: w.resources.map((c) => c.resource),
  }));

describe('sweepCapacity', () => {
  it('finds the earliest start at which the count is free for the whole duration', () => {
    const resources = fleet({ a: [[0, 10]], b: [[5, 20]], c: [[12, 30]] });
    expect(plain(sweepCapacity(resources, request({ count: 2, duration: 4 })))).toEqual([
      { start: 5, end: 9, latestStart: 6, resources: ['a', 'b'] },
      { start: 12, end: 16, latestStart: 16, resources: ['b', 'c'] },
    ]);
  });

  it('lets a window fill a span exactly, and closed start ranges that touch overlap', () => {
    // With a duration of 10, a can only start at 0 and b only at 10: two windows, never both.
    const resources = fleet({ a: [[0, 10]], b: [[10, 20]] });
    expect(plain(sweepCapacity(resources, request({ count: 1, duration: 10 })))).toEqual([
      { start: 0, end: 10, latestStart: 0, resources: ['a'] },
      { start: 10, end: 20, latestStart: 10, resources: ['b'] },
    ]);
    expect(plain(sweepCapacity(resources, request({ count: 2, duration: 1 })))).toEqual([]);
    // a may start in [0, 5], b in [5, 15]: both are free for [5, 10).
    expect(plain(sweepCapacity(fleet({ a: [[0, 10]], b: [[5, 20]] }), request({ count: 2, duration: 5 })))).toEqual([
      { start: 5, end: 10, latestStart: 5, resources: ['a', 'b'] },
    ]);
  });

  it('never lets a window straddle two spans of one resource', () => {
    // Touching spans are two offers; the caller merges them when one booking may cross.
    const resources = fleet({
      a: [
        [0, 5],
        [5, 10],
      ],
    });
    expect(plain(sweepCapacity(resources, request({ duration: 6 })))).toEqual([]);
    expect(plain(sweepCapacity(fleet({ a: [[0, 10]] }), request({ duration: 6 })))).toEqual([
      { start: 0, end: 6, latestStart: 4, resources: ['a'] },
    ]);
  });

  it('counts a resource once however many of its spans hold the window', () => {
    const resources = fleet({
      a: [
        [0, 10],
        [2, 8],
        [0, 20],
      ],
    });
    expect(plain(sweepCapacity(resources, request({ count: 2, duration: 2 })))).toEqual([]);
    const [window] = sweepCapacity(resources, request({ count: 1, duration: 2 }));
    expect(window.resources).toEqual([{ resource: 'a', free: span(0, 10) }]);
    expect(window.latestStart).toBe(18n);
    // The same resource listed twice is still one resource.
    const twice = [...fleet({ a: [[0, 10]] }), ...fleet({ a: [[0, 10]] })];
    expect(sweepCapacity(twice, request({ count: 2, duration: 2 }))).toEqual([]);
  });

  it('reports the tightest span holding the window', () => {
    const resources = fleet({
      a: [
        [0, 50],
        [3, 9],
        [4, 40],
      ],
    });
    const [window] = sweepCapacity(resources, request({ notBefore: 4, duration: 5 }));
    expect(window.start).toBe(4n);
    expect(window.resources[0].free).toEqual(span(3, 9));
  });

  it('keeps the whole window inside [notBefore, notAfter]', () => {
    const resources = fleet({ a: [[0, 100]], b: [[0, 100]] });
    expect(plain(sweepCapacity(resources, request({ count: 2, duration: 10, notBefore: 30, notAfter: 45 })))).toEqual([
      { start: 30, end: 40, latestStart: 35, resources: ['a', 'b'] },
    ]);
    expect(sweepCapacity(resources, request({ duration: 10, notBefore: 30, notAfter: 39 }))).toEqual([]);
    expect(plain(sweepCapacity(resources, request({ duration: 10, notBefore: 30, notAfter: 40 })))).toEqual([
      { start: 30, end: 40, latestStart: 30, resources: ['a', 'b'] },
    ]);
  });

  it('stops at limit, and finds nothing when too few resources or too short spans', () => {
    const resources = fleet({
      a: [
        [0, 2],
        [4, 6],
        [8, 10],
        [12, 14],
      ],
    });
    expect(plain(sweepCapacity(resources, request({ duration: 2, limit: 2 }))).map((w) => w.start)).toEqual([0, 4]);
    expect(sweepCapacity(resources, request({ duration: 3 }))).toEqual([]);
    expect(sweepCapacity(resources, request({ count: 2, duration: 1 }))).toEqual([]);
    expect(sweepCapacity([], request({}))).toEqual([]);
    expect(
      sweepCapacity(
        fleet({
          a: [
            [5, 5],
            [9, 3],
          ],
        }),
        request({}),
      ),
    ).toEqual([]);
  });

  it('refuses a request that breaks its contract', () => {
    const resources = fleet({ a: [[0, 10]] });
    expect(() => sweepCapacity(resources, request({ count: 0 }))).toThrow(RangeError);
    expect(() => sweepCapacity(resources, request({ count: 1.5 }))).toThrow(RangeError);
    expect(() => sweepCapacity(resources, request({ limit: 0 }))).toThrow(RangeError);
    expect(() => sweepCapacity(resources, request({ duration: 0 }))).toThrow(RangeError);
  });

  describe('against a brute force over every start time', () => {
    /**
     * The oracle tries every start on a half-unit grid (times are integers, so feasibility can
     * only change at integers; the half steps catch a gap between two integer starts), decides
     * for each resource whether one of its spans holds [t, t + duration), and groups the
     * feasible starts into runs.
     */
    function bruteForce(resources: ResourceFreeSpans<string>[], r: CapacityRequest) {
      const [nb, na, d] = [Number(r.notBefore), Number(r.notAfter), Number(r.duration)];
      const freeAt = (t: number) =>
        resources
          .filter((res) => res.free.some((s) => Number(s.start) <= t && t + d <= Number(s.end)))
          .map((res) => res.resource)
          .sort();
      const runs: { start: number; latestStart: number; resources: string[] }[] = [];
      let current: (typeof runs)[number] | null = null;
      for (let t2 = 2 * nb; t2 + 2 * d <= 2 * na; t2++) {
        const t = t2 / 2;
        const free = freeAt(t);
        if (free.length >= r.count) {
          if (current) current.latestStart = t;
          else runs.push((current = { start: t, latestStart: t, resources: free }));
        } else {
          current = null;
        }
      }
      return runs.slice(0, r.limit).map((w) => ({ ...w, end: w.start + d }));
    }

    const spanArb = fc
      .tuple(fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 12 }))
      .map(([s, len]) => span(s, s + len));
    const fleetArb = fc
      .uniqueArray(fc.constantFrom('n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'), { maxLength: 7 })
      .chain((names) =>
        fc.tuple(...names.map((resource) => fc.array(spanArb, { maxLength: 3 }).map((free) => ({ resource, free })))),
      );
    const requestArb = fc
      .record({
        count: fc.integer({ min: 1, max: 4 }),
        duration: fc.integer({ min: 1, max: 8 }),
        notBefore: fc.integer({ min: 0, max: 20 }),
        span: fc.integer({ min: 0, max: 30 }),
        limit: fc.integer({ min: 1, max: 4 }),
      })
      .map(({ span: length, ...r }) => request({ ...r, notAfter: r.notBefore + length }));

    it('finds the same windows, resources and latest starts on random fleets', () => {
      let found = 0;
      fc.assert(
        fc.property(fleetArb, requestArb, (resources, r) => {
          const ours = plain(sweepCapacity(resources, r));
          expect(ours).toEqual(bruteForce(resources, r));
          if (ours.length > 0) found++;
        }),
        { numRuns: 3000 },
      );
      // Not vacuous: a good share of the random requests have an answer.
      expect(found).toBeGreaterThan(500);
    });

    it('names for each resource a span that holds the window, the shortest such span', () => {
      fc.assert(
        fc.property(fleetArb, requestArb, (resources, r) => {
          for (const w of sweepCapacity(resources, r)) {
            for (const c of w.resources) {
              const holding = resources
                .find((res) => res.resource === c.resource)!
                .free.filter((s) => s.start <= w.start && w.end <= s.end);
              expect(holding).toContainEqual(c.free);
              expect(holding.every((s) => s.end - s.start >= c.free.end - c.free.start)).toBe(true);
            }
          }
        }),
      );
    });
  });
});

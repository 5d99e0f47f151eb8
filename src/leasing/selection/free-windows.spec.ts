import { freeInOffer, freeOnNode } from './free-windows';

const span = (start: number, end: number) => ({ start: BigInt(start), end: BigInt(end) });
const lease = (start: number, end: number, offerUuid: string | null = null, parentLeaseUuid: string | null = null) => ({
  ...span(start, end),
  offerUuid,
  parentLeaseUuid,
});
const plain = (spans: { start: bigint; end: bigint }[]) => spans.map((s) => [Number(s.start), Number(s.end)]);

describe('freeInOffer', () => {
  const offer = { uuid: 'o1', parentLeaseUuid: null, ...span(100, 200) };

  it('is the offer clipped to the range when nothing is booked', () => {
    expect(plain(freeInOffer(offer, [], 0n, span(120, 500)))).toEqual([[120, 200]]);
    expect(freeInOffer(offer, [], 0n, span(200, 300))).toEqual([]);
  });

  it("takes out the offer's own leases, leaving touching windows bookable without a gap", () => {
    expect(plain(freeInOffer(offer, [lease(120, 130, 'o1'), lease(150, 160, 'o1')], 0n, span(0, 1000)))).toEqual([
      [100, 120],
      [130, 150],
      [160, 200],
    ]);
  });

  it('keeps the cleaning time from every lease at the same level on the node, also ones outside the offer', () => {
    // A top-level lease before the offer (another offer's claim) and one of the offer itself.
    const leases = [lease(50, 95, 'other'), lease(150, 160, 'o1')];
    expect(plain(freeInOffer(offer, leases, 10n, span(0, 1000)))).toEqual([
      [105, 140],
      [170, 200],
    ]);
  });

  it('ignores leases of another level: a sub-lease does not need a gap from the top-level offer', () => {
    const leases = [lease(110, 120, null, 'parent-lease')];
    expect(plain(freeInOffer(offer, leases, 10n, span(0, 1000)))).toEqual([[100, 200]]);
  });

  it("measures a sub-offer's gap against the parent's other children", () => {
    const sub = { uuid: 'sub', parentLeaseUuid: 'p', ...span(100, 200) };
    const leases = [lease(100, 200, null, null), lease(120, 130, null, 'p')];
    expect(plain(freeInOffer(sub, leases, 5n, span(0, 1000)))).toEqual([
      [100, 115],
      [135, 200],
    ]);
  });
});

describe('freeOnNode', () => {
  it('is the range less occupying offers and leases, top-level leases padded by the gap', () => {
    const leases = [lease(100, 200), lease(300, 350, null, 'p')];
    const offers = [span(400, 450)];
    expect(plain(freeOnNode(leases, offers, 10n, span(0, 1000)))).toEqual([
      [0, 90],
      [210, 300],
      [350, 400],
      [450, 1000],
    ]);
  });

  it('joins what separate bookings left free when they touch nothing between them', () => {
    expect(plain(freeOnNode([], [], 0n, span(0, 10)))).toEqual([[0, 10]]);
    expect(freeOnNode([lease(0, 10)], [], 0n, span(0, 10))).toEqual([]);
  });
});

/**
 * The free windows of one node, as a booking would find them: what the conflict checks refuse
 * (an overlapping occupying lease or offer) and what the cleaning-time guard refuses (a lease
 * of the same level within `gap` of another) are both taken out, so a window shown free can be
 * booked. Times are epoch microseconds (spans.ts).
 */
import { mergeSpans, Span, subtractSpans } from '../capacity/spans';

export interface BookedSpan extends Span {
  /** The offer a lease was claimed from, if any. */
  readonly offerUuid: string | null;
  /** The lease it was booked inside (a sub-lease, a claim of a sub-offer), if any. */
  readonly parentLeaseUuid: string | null;
}

export interface OfferSpan extends Span {
  readonly uuid: string;
  readonly parentLeaseUuid: string | null;
}

/**
 * The parts of an offer inside `range` where a claim fits: free of the offer's own leases, and
 * `gap` away from every lease at the claim's level on the node (top-level leases for an offer
 * on the node, the parent's other children for a sub-offer), as the cleaning-time guard
 * measures it.
 */
export function freeInOffer(offer: OfferSpan, leasesOnNode: readonly BookedSpan[], gap: bigint, range: Span): Span[] {
  const within = intersect(offer, range);
  if (!within) return [];
  const busy: Span[] = [];
  for (const lease of leasesOnNode) {
    if (lease.offerUuid === offer.uuid) busy.push(lease);
    if (lease.parentLeaseUuid === offer.parentLeaseUuid) busy.push(padded(lease, gap));
  }
  return subtractSpans(within, busy);
}

/**
 * The free time inside `range` of a node booked directly (its owner's lease): no occupying
 * offer or lease of any level on it, and `gap` away from its top-level leases. One span per
 * gap between bookings: an owner's lease may run across what were separate offers once.
 */
export function freeOnNode(
  leasesOnNode: readonly BookedSpan[],
  offersOnNode: readonly Span[],
  gap: bigint,
  range: Span,
): Span[] {
  const busy: Span[] = [...offersOnNode];
  for (const lease of leasesOnNode) busy.push(lease.parentLeaseUuid === null ? padded(lease, gap) : lease);
  return subtractSpans(range, mergeSpans(busy));
}

function padded(span: Span, gap: bigint): Span {
  return gap > 0n ? { start: span.start - gap, end: span.end + gap } : span;
}

function intersect(a: Span, b: Span): Span | null {
  const start = a.start > b.start ? a.start : b.start;
  const end = a.end < b.end ? a.end : b.end;
  return start < end ? { start, end } : null;
}

/**
 * checkOfferLessee: an offer restricted to a lessee project is open to that project and to the
 * projects below it; an unrestricted one to everybody. `ancestry` is the caller's project and
 * its parents (ProjectDirectory.ancestry).
 */
export function offerOpenTo(offer: { readonly lesseeId: string | null }, ancestry: readonly string[]): boolean {
  return offer.lesseeId === null || ancestry.includes(offer.lesseeId);
}

import { maxTime, UtcTime } from '../../common/time';

export type Window = readonly [UtcTime, UtcTime];

/**
 * Free windows of an offer (docs/decisions.md, "Leasing rules"; upstream's algorithm lost the
 * current gap and could invert windows): merge the busy intervals, then sweep the gaps inside
 * `[max(now, start), end)`. Never an inverted or empty window, and the current gap is kept.
 */
export function offerAvailabilities(
  offerStart: UtcTime,
  offerEnd: UtcTime,
  busy: readonly Window[],
  now: UtcTime,
): Window[] {
  const from = maxTime(now, offerStart);
  if (from >= offerEnd) return [];
  // Lists render thousands of offers per request: copy and sort only what is out of order.
  const sorted = isSortedByStart(busy) ? busy : [...busy].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const free: Window[] = [];
  let cursor = from;
  for (const [start, end] of sorted) {
    if (end <= cursor) continue;
    if (start >= offerEnd) break;
    if (start > cursor) free.push([cursor, start]);
    cursor = maxTime(cursor, end);
    if (cursor >= offerEnd) break;
  }
  if (cursor < offerEnd) free.push([cursor, offerEnd]);
  return free;
}

function isSortedByStart(windows: readonly Window[]): boolean {
  for (let i = 1; i < windows.length; i++) if (windows[i - 1][0] > windows[i][0]) return false;
  return true;
}

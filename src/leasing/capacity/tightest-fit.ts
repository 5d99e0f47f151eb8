/**
 * Which free resources a group booking takes first. Best fit keeps long free stretches whole
 * for later, longer requests; shuffling among equals keeps concurrent requests for the same
 * window from all reaching for the same nodes and losing the race to each other (the reason
 * Ironic's allocation API shuffles its candidates).
 */
import { Span } from './spans';

/** A source of uniform numbers in [0, 1), injectable so tests can replay an order. */
export type RandomSource = () => number;

/**
 * The candidates whose span holds `window`, least slack first. Slack is the free time left
 * around the window, (window.start - span.start) + (span.end - window.end); candidates with
 * equal slack come in random order. Candidates whose span does not hold the window are left
 * out; each candidate is taken as given (one per resource is the caller's business).
 */
export function orderByTightestFit<C>(
  candidates: readonly C[],
  window: Span,
  spanOf: (candidate: C) => Span,
  random: RandomSource = Math.random,
): C[] {
  const fitting: { candidate: C; slack: bigint }[] = [];
  for (const candidate of candidates) {
    const span = spanOf(candidate);
    if (span.start > window.start || span.end < window.end) continue;
    fitting.push({ candidate, slack: window.start - span.start + (span.end - window.end) });
  }
  fitting.sort((a, b) => (a.slack < b.slack ? -1 : a.slack > b.slack ? 1 : 0));
  for (let from = 0; from < fitting.length;) {
    let to = from + 1;
    while (to < fitting.length && fitting[to].slack === fitting[from].slack) to++;
    shuffleRange(fitting, from, to, random);
    from = to;
  }
  return fitting.map((f) => f.candidate);
}

/** Fisher–Yates over items[from, to): every order of the tie group equally likely. */
function shuffleRange<T>(items: T[], from: number, to: number, random: RandomSource): void {
  for (let i = to - 1; i > from; i--) {
    const j = from + Math.floor(random() * (i - from + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

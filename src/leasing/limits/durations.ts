/** Lengths of time in the limits file and in the messages that quote them, in whole seconds. */

const UNIT_SECONDS = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 } as const;
const DURATION = /^(\d+[wdhms])+$/;
const PART = /(\d+)([wdhms])/g;

/** `90s`, `30m`, `48h`, `7d`, `2w`, or a sum such as `1d12h`; null when the text is none of these. */
export function parseDuration(text: string): number | null {
  const compact = text.trim();
  if (!DURATION.test(compact)) return null;
  let seconds = 0;
  for (const [, amount, unit] of compact.matchAll(PART)) {
    seconds += Number(amount) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
  }
  return Number.isSafeInteger(seconds) ? seconds : null;
}

const NAMED: readonly (readonly [number, string])[] = [
  [86_400, 'day'],
  [3_600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** `1 day 12 hours`, `48 hours`, `90 seconds`: what a refusal tells the caller. */
export function describeDuration(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  if (rest === 0) return '0 seconds';
  const parts: string[] = [];
  for (const [size, name] of NAMED) {
    const count = Math.floor(rest / size);
    if (count === 0) continue;
    parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
    rest -= count * size;
  }
  return parts.join(' ');
}

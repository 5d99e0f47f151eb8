/**
 * Times: the API speaks naive UTC ISO 8601 (`2030-01-02T03:04:05`, a fraction only when
 * non-zero); the console shows UTC too, labelled, so that what a person reads is what the API
 * and the CLI say. Internally every instant is epoch milliseconds.
 */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Epoch ms of an API time (naive UTC; microseconds are cut to milliseconds). */
export function parseApiTime(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?/.exec(text);
  if (!m) return Number.NaN;
  const fraction = m[3] ? m[3].slice(0, 4).padEnd(4, '0') : '';
  return Date.parse(`${m[1]}T${m[2]}${fraction}Z`);
}

/** An instant as the API takes it: naive UTC, whole seconds. */
export function toApiTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** `2030-01-02 03:04` in UTC. */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** The value of an `<input type="datetime-local">`, read as UTC. */
export function toInputValue(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

export function fromInputValue(value: string): number {
  return value ? Date.parse(`${value}:00Z`) : Number.NaN;
}

/** `3d 04:05:06`, or `04:05:06` under a day: a countdown that changes every second. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const rest = total % 86_400;
  const hms = [Math.floor(rest / 3600), Math.floor((rest % 3600) / 60), rest % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return days > 0 ? `${days}d ${hms}` : hms;
}

/** The instant rounded to the nearest multiple of `step` ms. */
export function snap(ms: number, step: number): number {
  return Math.round(ms / step) * step;
}

export function floorTo(ms: number, step: number): number {
  return Math.floor(ms / step) * step;
}

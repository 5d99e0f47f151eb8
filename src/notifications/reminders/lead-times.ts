import { EsiLeapConfig } from '../../config/esi-leap-config';

export type ReminderKind = 'end' | 'start';

/** One configured reminder: before the end or the start of a lease, by this many seconds. */
export interface LeadTime {
  readonly kind: ReminderKind;
  readonly seconds: number;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `48h` → 172800. The option's item format has already refused anything else. */
export function leadTimeSeconds(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) throw new Error(`not a lead time: ${text}`);
  return Number(match[1]) * UNIT_SECONDS[match[2]];
}

/** Seconds in the largest unit that divides them: 172800 → `2d`, 5400 → `90m`. */
export function formatLeadTime(seconds: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (seconds % UNIT_SECONDS[unit] === 0) return `${seconds / UNIT_SECONDS[unit]}${unit}`;
  }
  return `${seconds}s`;
}

/** Every configured lead time, without repeats (`24h` and `1d` are one). Empty: reminders are off. */
export function configuredLeadTimes(config: EsiLeapConfig): LeadTime[] {
  const of = (kind: ReminderKind, texts: readonly string[]) =>
    [...new Set(texts.map(leadTimeSeconds))].sort((a, b) => b - a).map((seconds) => ({ kind, seconds }));
  return [...of('end', config.reminders.end_lead_times), ...of('start', config.reminders.start_lead_times)];
}

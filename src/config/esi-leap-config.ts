/**
 * The typed, read-only configuration every module receives (DI token `ESI_LEAP_CONFIG`).
 * Sections and properties carry their exact oslo names (`config.api.max_lease_time`); the value
 * types come from the option table, so the two cannot disagree:
 *
 * - str: `string`, or `string | null` when the option has no default (unset);
 * - int/float/port: `number` (`number | null` when unset by default);
 * - bool: `boolean`; a choice option: the union of its choices;
 * - list/multi-valued: `readonly string[]` (`readonly number[]` for lists of integers), `null`
 *   for a list with no default.
 */
import type { OptionValue } from './option-types';
import type { OPTIONS, SectionName } from './options';

type SectionValues<S> = { readonly [K in keyof S]: OptionValue<S[K]> };

export type EsiLeapConfig = { readonly [S in SectionName]: SectionValues<(typeof OPTIONS)[S]> };

export type { SectionName };

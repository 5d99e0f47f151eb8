import { ValueTransformer } from 'typeorm';
import { fromDb, UtcTime } from '../common/time';

/**
 * Datetime columns are DATETIME(6) in MySQL and text in SQLite (see the migrations). The
 * entity metadata declares them as strings so that TypeORM passes our canonical
 * `YYYY-MM-DD HH:MM:SS.ffffff` values through untouched: its date handling goes through JS
 * `Date` and would drop microseconds.
 */
export const utcTimeTransformer: ValueTransformer = {
  to: (value: UtcTime | null | undefined) => value ?? null,
  from: (value: unknown) => fromDb(value),
};

/** oslo.db `JsonEncodedDict`: JSON text, with a missing value stored as `{}`. */
export const jsonDictTransformer: ValueTransformer = {
  to: (value: Record<string, unknown> | null | undefined) => JSON.stringify(value ?? {}),
  from: (value: unknown) => {
    if (value === null || value === undefined || value === '') return {};
    return typeof value === 'string' ? (JSON.parse(value) as Record<string, unknown>) : value;
  },
};

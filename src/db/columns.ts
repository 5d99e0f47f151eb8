import { ValueTransformer } from 'typeorm';
import { parseJson, stringifyJson } from '../common/http/lossless-json';
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

/**
 * oslo.db `JsonEncodedDict`: JSON text, with a missing value stored as `{}`. Numbers keep
 * their exact text both ways (an integer beyond 2^53, a float written `1.0`), as Python's
 * json does.
 */
export const jsonDictTransformer: ValueTransformer = {
  to: (value: Record<string, unknown> | null | undefined) => stringifyJson(value ?? {}),
  from: (value: unknown) => {
    if (value === null || value === undefined || value === '') return {};
    return typeof value === 'string' ? (parseJson(value) as Record<string, unknown>) : value;
  },
};

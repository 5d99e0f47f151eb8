/** oslo.concurrency's [oslo_concurrency] options (`oslo_concurrency/lockutils.py`). */
import { boolOpt, fromNamespace, strOpt } from '../option-types';

export const osloConcurrencyOptions = fromNamespace('oslo.concurrency', {
  disable_process_locking: boolOpt('Enables or disables inter-process locks.', false),
  lock_path: strOpt(
    'Directory to use for lock files. Defaults to environment variable OSLO_LOCK_PATH. This service locks ' +
      'in the database, so the option is accepted for compatibility and otherwise unused.',
    { default: (ctx) => ctx.env.OSLO_LOCK_PATH ?? null, sampleDefault: '<None>' },
  ),
});

import { Logger, LoggerService } from '@nestjs/common';
import { statSync } from 'node:fs';
import { findPolicyPath } from '../../policy/policy-file';
import { LimitsDocument, LimitsFileError, readLimitsFile } from './limits-file';

/** Where the limits file is (`[lease_policy] limits_file`), found like the policy file. */
export interface LimitsSource {
  /** Absolute, or relative to `searchDirs`. */
  readonly file: string;
  /** True when the operator named the file, so it must exist; the default name may be absent. */
  readonly required: boolean;
  readonly searchDirs: readonly string[];
}

export interface LimitsStoreOptions {
  /** Milliseconds clock; injectable so tests can step past the reload throttle. */
  readonly now?: () => number;
  readonly logger?: LoggerService;
}

/** As for the policy file: the file's mtime and size are looked at most this often. */
const RELOAD_CHECK_INTERVAL_MS = 1000;

/**
 * The limits document in force, re-read when the file changes (its mtime or size), so
 * operators can change limits and quotas live, as they can policy. A file that cannot be used
 * stops start-up; at run time the last good document stays in force and the error is logged
 * once. No file (the default name absent, or the file removed) means no limits.
 */
export class LimitsStore {
  private readonly now: () => number;
  private readonly logger: LoggerService;
  private document: LimitsDocument | null = null;
  private fingerprint = '';
  private checkedAt = 0;
  private lastReloadError: string | null = null;

  /** Reads the file once; throws LimitsFileError when it is named but missing, or unusable. */
  constructor(
    private readonly source: LimitsSource | null,
    options: LimitsStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? new Logger('esi-leap.lease-policy');
    if (source) this.reload(source);
  }

  /** The document in force now, after picking up any change of the file; null without one. */
  current(): LimitsDocument | null {
    if (this.source && this.now() - this.checkedAt >= RELOAD_CHECK_INTERVAL_MS) {
      try {
        this.reload(this.source);
        this.lastReloadError = null;
      } catch (err) {
        const message = (err as Error).message;
        if (message !== this.lastReloadError) this.logger.error(`${message}; keeping the limits in force`);
        this.lastReloadError = message;
      }
    }
    return this.document;
  }

  private reload(source: LimitsSource): void {
    this.checkedAt = this.now();
    const path = findPolicyPath(source.file, source.searchDirs);
    if (!path) {
      if (source.required) {
        throw new LimitsFileError(`limits file ${source.file} not found (looked in ${source.searchDirs.join(', ')})`);
      }
      if (this.document) this.logger.log('The limits file is gone; no lease limits or quotas are in force');
      this.document = null;
      this.fingerprint = '';
      return;
    }
    const stat = statSync(path);
    const fingerprint = `${path} ${stat.mtimeMs} ${stat.size}`;
    if (fingerprint === this.fingerprint) return;
    this.document = readLimitsFile(path);
    this.fingerprint = fingerprint;
    this.logger.log(`Lease limits loaded from ${path}`);
  }
}

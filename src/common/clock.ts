import { Injectable } from '@nestjs/common';
import { fromEpochMicros, UtcTime } from './time';

/**
 * The one source of "now", always UTC. Injected everywhere so tests move time instead
 * of sleeping.
 */
@Injectable()
export class Clock {
  now(): UtcTime {
    const ms = BigInt(Date.now());
    // Date.now() has millisecond resolution; the sub-millisecond digits come from the
    // monotonic clock so that successive values are distinct like Python's utcnow().
    const subMs = process.hrtime.bigint() / 1000n % 1000n;
    return fromEpochMicros(ms * 1000n + subMs);
  }
}

/** A clock that stands still until a test moves it. */
export class ManualClock extends Clock {
  constructor(private current: UtcTime) {
    super();
  }

  override now(): UtcTime {
    return this.current;
  }

  set(t: UtcTime): void {
    this.current = t;
  }
}

import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/**
 * V8 lets the old generation grow to up to four times what survived the last full collection
 * before it marks again. Our live heap is ~35 MB and list responses promote a few MB each, so
 * under load the API's RSS swung between ~110 and ~230 MB. Growing by half the live size
 * instead kept it under ~150 MB for a few per cent more GC time (docs/performance.md,
 * "Memory"). Set from code because node refuses this flag in NODE_OPTIONS, and the heap
 * limits are recomputed after every collection, so it takes effect from the first one.
 */
export function limitHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=50');
}

/** Quiet this long after the last response before collecting. */
export const IDLE_MS = 2000;
/** Heap grown by less than this since the last idle collection is not worth one. */
export const WORTH_COLLECTING_BYTES = 16 * 1024 * 1024;

/**
 * One full garbage collection when the API goes quiet after work, when node runs with
 * `--expose-gc` (`npm start` and the image pass it; otherwise nothing happens). V8 collects only
 * while allocating, so an API that went quiet after a burst kept tens of MB of dead old
 * generation until the next burst. A collection costs ~40 ms of one event-loop turn, so it
 * waits for IDLE_MS without a finished response (never during sustained load) and is skipped
 * when the heap did not grow by WORTH_COLLECTING_BYTES since the last one.
 */
export class IdleHeapCollector {
  private timer: NodeJS.Timeout | null = null;
  private usedAfterLast = 0;

  constructor(
    private readonly gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc,
    private readonly heapUsed: () => number = () => getHeapStatistics().used_heap_size,
  ) {}

  /** A response finished: (re)starts the quiet period. */
  noteWork(): void {
    if (!this.gc) return;
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => this.collectIfWorthIt(), IDLE_MS);
    this.timer.unref();
  }

  private collectIfWorthIt(): void {
    this.timer = null;
    if (this.heapUsed() - this.usedAfterLast < WORTH_COLLECTING_BYTES) return;
    this.gc!();
    this.usedAfterLast = this.heapUsed();
  }
}

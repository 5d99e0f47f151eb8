/** Seconds' worth of debounce: one collection however many large responses end meanwhile. */
const DELAY_MS = 2000;

let pending: NodeJS.Timeout | null = null;

/**
 * Asks for a full garbage collection shortly, when node runs with `--expose-gc` (`npm start`
 * and the image pass it; otherwise nothing happens). V8 collects only while allocating: after
 * a whole-table list the API kept ~120 MB of dead old generation until the next burst of work,
 * since an idle process never collects (docs/performance.md, "Memory"). One collection after
 * such a response returns it, for ~40 ms of one event-loop turn; calls within DELAY_MS of a
 * pending one join it.
 */
export function collectGarbageSoon(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc || pending) return;
  pending = setTimeout(() => {
    pending = null;
    gc();
  }, DELAY_MS);
  pending.unref();
}

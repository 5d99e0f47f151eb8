import { Answer, inFlightDuring } from './race-cluster';

/** Statuses a booking that lost may get: 404 (its offer or parent is gone), 403 (no grant any more), 409 (conflict). */
export const LOST = [403, 404, 409];
/** A bound on a scenario's loop, should the races never add up (each invalidation brings a dozen or more). */
export const INVALIDATION_LIMIT = 400;

/**
 * What one scenario sent and got: answers by kind and status, the races counted, and every
 * answer outside the statuses a kind may get (a 5xx, a dropped connection, a surprise).
 */
export class RaceTally {
  races = 0;
  /** Invalidating events: deletes, cancels, expiries, PATCHes. */
  invalidations = 0;
  requests = 0;
  /** Where a scenario has windows that exactly one request must win: the winners of each. */
  readonly winners: number[] = [];
  readonly statuses = new Map<string, number>();
  readonly unexpected: string[] = [];
  private readonly started = Date.now();

  /** Records an answer; `allowed` are the statuses this kind of request may get. */
  add(kind: string, a: Answer, allowed: readonly number[]): Answer {
    this.requests += 1;
    const key = `${kind} ${a.status}`;
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
    if (!allowed.includes(a.status) && this.unexpected.length < 20) {
      this.unexpected.push(`${kind} -> ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`);
    }
    return a;
  }

  /** Counts the requests in flight at some moment of `[from, to]`, the invalidation's: each is one race. */
  countRaces(requests: readonly Answer[], from: number, to: number): number {
    const n = requests.filter((r) => inFlightDuring(r, from, to)).length;
    this.races += n;
    return n;
  }

  seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** `claim 201: 12, claim 409: 300, …` in a stable order. */
  describeStatuses(): string {
    return [...this.statuses.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ');
  }

  /** `130 x 1` (130 windows with one winner each), or `` when the scenario has no such windows. */
  describeWinners(): string {
    const counts = new Map<number, number>();
    for (const w of this.winners) counts.set(w, (counts.get(w) ?? 0) + 1);
    return [...counts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([w, n]) => `${n} x ${w}`)
      .join(', ');
  }
}

/** The body of a 201, or a clear failure when setting a scenario up did not work. */
export function created(a: Answer, what: string): Record<string, any> {
  if (a.status !== 201 || !a.body) throw new Error(`${what}: expected 201, got ${a.status} ${JSON.stringify(a.body)}`);
  return a.body;
}

/** An index in `[from, to)` that varies between rounds, so the invalidation lands at different points of a burst. */
export function somewhere(from: number, to: number): number {
  return from + Math.floor(Math.random() * (to - from));
}

/**
 * `send()` after a random 0–`maxMs` ms. A DELETE has less to check than the bookings racing
 * it (which read the node and the parent first), so sent at the same moment it is handled
 * first; a varying delay lets it land among them instead.
 */
export function afterAWhile<T>(maxMs: number, send: () => Promise<T>): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * maxMs)).then(send);
}

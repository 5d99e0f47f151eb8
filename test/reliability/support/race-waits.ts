import { DataSource } from 'typeorm';
import { Answer, dbMs, dbTime, sleep, SWEEP_INTERVAL_S } from './race-cluster';

/**
 * Waits until the manager has nothing left to do, by its own rules read from the tables: no
 * lease due to be fulfilled, none due to expire, no cancel to retry, no offer past its end.
 * Checked twice a sweep apart, so that a run in progress has committed.
 */
export async function settle(ds: DataSource, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let quiet = 0;
  for (;;) {
    const now = dbTime(Date.now());
    const [row] = await ds.query(
      `SELECT
         (SELECT COUNT(*) FROM leases WHERE status IN ('created', 'wait fulfill') AND start_time <= ? AND end_time >= ?)
       + (SELECT COUNT(*) FROM leases WHERE status IN ('active', 'created', 'wait expire', 'wait fulfill', 'error') AND end_time <= ?)
       + (SELECT COUNT(*) FROM leases WHERE status = 'wait cancel')
       + (SELECT COUNT(*) FROM offers WHERE status IN ('available', 'error') AND end_time <= ?) AS n`,
      [now, now, now, now],
    );
    quiet = Number(row.n) === 0 ? quiet + 1 : 0;
    if (quiet >= 2) return;
    if (Date.now() > until) throw new Error(`the manager did not settle within ${timeoutMs} ms (${row.n} due)`);
    await sleep(quiet ? SWEEP_INTERVAL_S * 1000 + 200 : 250);
  }
}

/**
 * Waits until every row of `uuids` in `table` has one of `statuses` (e.g. parents fulfilled by
 * the manager), and returns the rows with the time each reached it (`expire_time` for ended
 * leases, `updated_at` for offers).
 */
export async function waitForStatus(
  ds: DataSource,
  table: 'leases' | 'offers',
  uuids: readonly string[],
  statuses: readonly string[],
  timeoutMs = 30_000,
): Promise<Map<string, { status: string; at: unknown }>> {
  const until = Date.now() + timeoutMs;
  const at = table === 'leases' ? 'COALESCE(expire_time, fulfill_time)' : 'updated_at';
  for (;;) {
    const rows: Array<{ uuid: string; status: string; at: unknown }> = await ds.query(
      `SELECT uuid, status, ${at} AS at FROM ${table} WHERE uuid IN (${uuids.map(() => '?').join(', ')})`,
      [...uuids],
    );
    const done = rows.filter((r) => statuses.includes(r.status));
    if (done.length === uuids.length) return new Map(done.map((r) => [r.uuid, { status: r.status, at: r.at }]));
    if (Date.now() > until) {
      const late = rows.filter((r) => !statuses.includes(r.status)).map((r) => `${r.uuid}: ${r.status}`);
      throw new Error(`${table} not ${statuses.join('/')} within ${timeoutMs} ms: ${late.slice(0, 5).join(', ')}`);
    }
    await sleep(100);
  }
}

/** A dependant whose invalidation is its own end: an offer or parent lease ending at `T` (epoch ms). */
export interface Expiring {
  uuid: string;
  T: number;
}

/** How bookings are sent around an expiry: see `sendAroundExpiry`. */
export interface ExpiryTraffic {
  /** Bookings sent at once, `leadMs` before T. */
  burst: number;
  leadMs: number;
  /** Then one booking every `everyMs` until `tailMs` after the target was seen ended, at most `capMs` after T. */
  everyMs: number;
  tailMs: number;
  capMs: number;
}

const TICK_MS = 10;

/** Around each T: 12 bookings 40 ms before, then one every 100 ms until 150 ms after the end (at most 6 s). */
export const EXPIRY_TRAFFIC: ExpiryTraffic = { burst: 12, leadMs: 40, everyMs: 100, tailMs: 150, capMs: 6000 };
/** Targets per batch, and the time between two targets' T: the manager ends one or two per run. */
export const EXPIRY_BATCH = { size: 32, staggerMs: 100 };

/**
 * Sends bookings against each of `targets` around its T: a burst of `burst` just before T
 * (so that they are being handled while T passes and the manager ends the target), then one
 * every `everyMs` until just after the manager was seen to end it (`ended` status in `table`).
 * The single bookings leave gaps on purpose: the manager's expiry of leases runs until it finds
 * no new ended lease, so an unbroken stream of accepted bookings with past windows holds it off
 * the offers for as long as the stream lasts. `send(i, s)` books against target i (s = 0, 1,
 * … per target). Returns every answer by target, and when the database says each target ended.
 */
export async function sendAroundExpiry(
  ds: DataSource,
  table: 'leases' | 'offers',
  ended: string,
  targets: readonly Expiring[],
  traffic: ExpiryTraffic,
  send: (i: number, s: number) => Promise<Answer[]>,
): Promise<{ answers: Answer[][]; endedAt: number[] }> {
  const sent = targets.map(() => [] as Array<Promise<Answer[]>>);
  const next = targets.map((t) => t.T - traffic.leadMs);
  const seenEnded: Array<number | null> = targets.map(() => null);
  let checkedAt = 0;
  for (;;) {
    const now = Date.now();
    const open = targets.map(
      (t, i) => now <= t.T + traffic.capMs && (seenEnded[i] === null || now <= seenEnded[i]! + traffic.tailMs),
    );
    if (!open.includes(true)) break;
    targets.forEach((_, i) => {
      if (!open[i] || now < next[i]) return;
      const count = sent[i].length === 0 ? traffic.burst : 1;
      for (let k = 0; k < count; k++) sent[i].push(send(i, sent[i].length));
      next[i] = now + traffic.everyMs;
    });
    const watched = targets.map((_, i) => i).filter((i) => open[i] && seenEnded[i] === null && now >= targets[i].T);
    if (watched.length > 0 && now - checkedAt >= 50) {
      checkedAt = now;
      const rows: Array<{ uuid: string }> = await ds.query(
        `SELECT uuid FROM ${table} WHERE status = ? AND uuid IN (${watched.map(() => '?').join(', ')})`,
        [ended, ...watched.map((i) => targets[i].uuid)],
      );
      const done = new Set(rows.map((r) => r.uuid));
      for (const i of watched) if (done.has(targets[i].uuid)) seenEnded[i] = Date.now();
    }
    await sleep(TICK_MS);
  }
  const answers = await Promise.all(sent.map(async (s) => (await Promise.all(s)).flat()));
  const times = await waitForStatus(
    ds,
    table,
    targets.map((t) => t.uuid),
    [ended],
  );
  return { answers, endedAt: targets.map((t) => dbMs(times.get(t.uuid)!.at)) };
}

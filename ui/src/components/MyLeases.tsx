import { useEffect, useState } from 'preact/hooks';
import { statusLabel } from '../format';
import { formatCountdown, formatUtc, parseApiTime } from '../time';
import type { Lease } from '../types';
import type { Act } from './App';
import { LeaseActions } from './NodePanel';

/**
 * The caller's own leases (as lessee), wherever they are in time: each with a countdown to its
 * start or end, ticking every second, and the same extend and cancel as on the timeline.
 */
export function MyLeases({ leases, projectId, act }: { leases: readonly Lease[]; projectId: string | null; act: Act }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const mine = leases
    .filter((l) => projectId !== null && l.project_id === projectId)
    .sort((a, b) => parseApiTime(a.end_time) - parseApiTime(b.end_time));
  if (mine.length === 0) return <p class="muted">Your project holds no lease right now.</p>;
  return (
    <ul class="my-leases">
      {mine.map((lease) => {
        const start = parseApiTime(lease.start_time);
        const end = parseApiTime(lease.end_time);
        const countdown =
          now < start ? `starts in ${formatCountdown(start - now)}` : `ends in ${formatCountdown(end - now)}`;
        return (
          <li key={lease.uuid} class="card" data-my-lease={lease.uuid}>
            <h3>
              {lease.name ?? lease.uuid.slice(0, 8)} <span class="chip status-chip">{statusLabel(lease.status)}</span>
            </h3>
            <p class="countdown" aria-live="off">
              {countdown}
            </p>
            <p class="muted small">
              {lease.resource ?? lease.resource_uuid} · {formatUtc(start)} – {formatUtc(end)} UTC
              {lease.purpose ? ` · ${lease.purpose}` : ''}
            </p>
            <LeaseActions uuid={lease.uuid} end={lease.end_time} status={lease.status} act={act} />
          </li>
        );
      })}
    </ul>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { keyProperties, nodeLabel, statusLabel } from '../format';
import { formatCountdown, formatUtc, fromInputValue, parseApiTime, toApiTime, toInputValue } from '../time';
import type { Timeline, TimelineLease, TimelineNode } from '../types';
import type { Focus, Selection } from './Timeline';
import type { Act } from './App';

interface NodePanelProps {
  readonly timeline: Timeline;
  readonly node: TimelineNode;
  readonly focus: Focus;
  readonly selection: Selection | null;
  readonly onSelect: (selection: Selection | null) => void;
  readonly act: Act;
}

/**
 * The picked node: what it is, who holds it and when, and what the caller can do with the
 * window selected on it — claim it from an offer, or, on an owned node, offer it. Every action
 * also works from the keyboard: the times are fields, the bars' actions are buttons here.
 */
export function NodePanel({ timeline, node, focus, selection, onSelect, act }: NodePanelProps) {
  const windowOf = (s: Selection | null) => (s && s.node === node.uuid ? s : null);
  const current = windowOf(selection);
  const lease = node.leases.find((l) => l.uuid === focus.lease) ?? null;
  return (
    <section class="panel-section" aria-labelledby="node-heading">
      <h2 id="node-heading">{nodeLabel(node)}</h2>
      <p class="muted">
        {node.resource_class ?? 'no class'}
        {keyProperties(node) ? ` · ${keyProperties(node)}` : ''}
        <br />
        Owner: {node.owned ? 'your project' : node.owner || node.owner_id || 'unknown'}
        {node.health && !node.health.healthy && (
          <>
            <br />
            <strong class="warning">Unhealthy: {node.health.reason ?? node.health.flags.join(', ')}</strong>
          </>
        )}
      </p>
      {lease && <LeaseDetails lease={lease} act={act} />}
      <WindowForm timeline={timeline} node={node} selection={current} onSelect={onSelect} act={act} />
      <Bookings node={node} act={act} />
    </section>
  );
}

function LeaseDetails({ lease, act }: { lease: TimelineLease; act: Act }) {
  return (
    <div class="card" aria-label="Selected lease">
      <h3>{lease.name ?? 'Lease'}</h3>
      <dl>
        <dt>Status</dt>
        <dd data-testid="lease-status">{statusLabel(lease.status)}</dd>
        <dt>Lessee</dt>
        <dd>{lease.mine ? 'your project' : lease.project || lease.project_id}</dd>
        <dt>Owner</dt>
        <dd>{lease.owner || lease.owner_id}</dd>
        <dt>From</dt>
        <dd>{formatUtc(parseApiTime(lease.start_time))} UTC</dd>
        <dt>To</dt>
        <dd>{formatUtc(parseApiTime(lease.end_time))} UTC</dd>
        {lease.purpose && (
          <>
            <dt>Purpose</dt>
            <dd>{lease.purpose}</dd>
          </>
        )}
      </dl>
      <LeaseActions uuid={lease.uuid} end={lease.end_time} status={lease.status} act={act} />
    </div>
  );
}

/** Extend and cancel, for one lease; cancel asks once more before it acts. */
export function LeaseActions({ uuid, end, status, act }: { uuid: string; end: string; status: string; act: Act }) {
  const [confirming, setConfirming] = useState(false);
  const [newEnd, setNewEnd] = useState(toInputValue(parseApiTime(end) + 86_400_000));
  useEffect(() => setNewEnd(toInputValue(parseApiTime(end) + 86_400_000)), [end]);
  const ending =
    status === 'expired' || status === 'deleted' || status.startsWith('wait c') || status.startsWith('wait e');
  if (ending) return null;
  const extend = () =>
    act(`Extended the lease to ${newEnd.replace('T', ' ')} UTC.`, () =>
      api.extendLease(uuid, toApiTime(fromInputValue(newEnd))),
    );
  return (
    <div class="actions">
      <label class="inline">
        New end (UTC)
        <input type="datetime-local" value={newEnd} onInput={(e) => setNewEnd((e.target as HTMLInputElement).value)} />
      </label>
      <button type="button" onClick={extend}>
        Extend
      </button>
      {confirming ? (
        <>
          <button
            type="button"
            class="danger"
            onClick={() => act('Cancelled the lease.', () => api.cancelLease(uuid)).then(() => setConfirming(false))}
          >
            Confirm cancel
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </>
      ) : (
        <button type="button" class="danger-outline" onClick={() => setConfirming(true)}>
          Cancel lease
        </button>
      )}
    </div>
  );
}

function WindowForm({
  timeline,
  node,
  selection,
  onSelect,
  act,
}: {
  timeline: Timeline;
  node: TimelineNode;
  selection: Selection | null;
  onSelect: (selection: Selection | null) => void;
  act: Act;
}) {
  const [name, setName] = useState('');
  const [purpose, setPurpose] = useState('');
  const fallback = nextFreeWindow(node);
  const start = selection?.start ?? fallback?.start ?? Number.NaN;
  const end = selection?.end ?? fallback?.end ?? Number.NaN;
  const set = (which: 'start' | 'end', value: string) => {
    const ms = fromInputValue(value);
    if (!Number.isFinite(ms)) return;
    const base = { node: node.uuid, start: Number.isFinite(start) ? start : ms, end: Number.isFinite(end) ? end : ms };
    onSelect({ ...base, [which]: ms });
  };
  const valid = Number.isFinite(start) && Number.isFinite(end) && end > start;
  const offer = valid
    ? node.offers.find(
        (o) => o.status === 'available' && parseApiTime(o.start_time) <= start && parseApiTime(o.end_time) >= end,
      )
    : undefined;
  const picked = valid ? { start_time: toApiTime(start), end_time: toApiTime(end) } : null;
  const named = { ...(name ? { name } : {}), ...(purpose ? { purpose } : {}) };
  return (
    <form class="card" aria-label="Window on this node" onSubmit={(e) => e.preventDefault()}>
      <h3>Window</h3>
      <p class="muted small">Drag on the node's row, click a free (green) window, or type the times.</p>
      <div class="field-row">
        <label>
          From (UTC)
          <input
            type="datetime-local"
            name="start"
            value={Number.isFinite(start) ? toInputValue(start) : ''}
            onChange={(e) => set('start', (e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          To (UTC)
          <input
            type="datetime-local"
            name="end"
            value={Number.isFinite(end) ? toInputValue(end) : ''}
            onChange={(e) => set('end', (e.target as HTMLInputElement).value)}
          />
        </label>
      </div>
      {valid && <p class="muted small">Lasts {formatCountdown(end - start)}.</p>}
      <div class="field-row">
        <label>
          Name <input value={name} maxLength={35} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Purpose{' '}
          <input value={purpose} maxLength={255} onInput={(e) => setPurpose((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <div class="actions">
        <button
          type="submit"
          class="primary"
          disabled={!picked || !offer}
          title={
            offer ? `Claim from offer ${offer.name ?? offer.uuid}` : 'The window must lie inside an offer you may claim'
          }
          onClick={() =>
            picked &&
            offer &&
            act('Claimed the window: the lease is booked.', () => api.claim(offer.uuid, { ...picked, ...named })).then(
              (ok) => ok && onSelect(null),
            )
          }
        >
          Claim
        </button>
        {node.owned && (
          <button
            type="button"
            disabled={!picked}
            onClick={() =>
              picked &&
              act('Offered the window.', () =>
                api.createOffer({
                  resource_type: timeline.resource_type,
                  resource_uuid: node.uuid,
                  ...picked,
                  ...(name ? { name } : {}),
                }),
              ).then((ok) => ok && onSelect(null))
            }
          >
            Create offer
          </button>
        )}
        {selection && (
          <button type="button" onClick={() => onSelect(null)}>
            Clear
          </button>
        )}
      </div>
    </form>
  );
}

/** What the caller can claim first on this node, to fill the form for keyboard users. */
function nextFreeWindow(node: TimelineNode): { start: number; end: number } | null {
  const now = Date.now();
  let best: { start: number; end: number } | null = null;
  for (const offer of node.offers) {
    for (const [from, to] of offer.availabilities) {
      const start = Math.max(parseApiTime(from), now);
      const end = parseApiTime(to);
      if (end > start && (!best || start < best.start)) best = { start, end };
    }
  }
  return best;
}

function Bookings({ node, act }: { node: TimelineNode; act: Act }) {
  if (node.offers.length === 0 && node.leases.length === 0 && node.busy.length === 0) {
    return <p class="muted">Nothing offered or booked in this window.</p>;
  }
  return (
    <div class="card">
      <h3>In this window</h3>
      <ul class="bookings">
        {node.offers.map((o) => (
          <li key={o.uuid}>
            <span class="chip offer-chip">offer</span> {o.name ?? o.uuid.slice(0, 8)}
            {o.lessee ? ` (for ${o.lessee})` : ''}: {formatUtc(parseApiTime(o.start_time))} –{' '}
            {formatUtc(parseApiTime(o.end_time))}
            {node.owned && (
              <button
                type="button"
                class="link"
                onClick={() => act('Withdrew the offer.', () => api.deleteOffer(o.uuid))}
              >
                withdraw
              </button>
            )}
          </li>
        ))}
        {node.leases.map((l) => (
          <li key={l.uuid}>
            <span class={`chip status-chip`}>{statusLabel(l.status)}</span> {l.name ?? l.uuid.slice(0, 8)} —{' '}
            {l.mine ? 'you' : l.project || l.project_id}: {formatUtc(parseApiTime(l.start_time))} –{' '}
            {formatUtc(parseApiTime(l.end_time))}
          </li>
        ))}
        {node.busy.map((b) => (
          <li key={b.start_time}>
            <span class="chip busy-chip">busy</span> another project: {formatUtc(parseApiTime(b.start_time))} –{' '}
            {formatUtc(parseApiTime(b.end_time))}
          </li>
        ))}
      </ul>
    </div>
  );
}

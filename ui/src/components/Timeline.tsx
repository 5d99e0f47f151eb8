import { Component } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { keyProperties, nodeLabel, statusClass, statusLabel } from '../format';
import { formatUtc, MINUTE, parseApiTime } from '../time';
import type { TimelineLease, TimelineNode, TimelineOffer } from '../types';
import { percentOf, SNAP, SPAN, tickLabel, ticks, View, viewEnd } from '../view';

/** A window the person picked on one node's row: to claim, or to offer. */
export interface Selection {
  readonly node: string;
  readonly start: number;
  readonly end: number;
}

/** What the side panel is about: a node, and possibly one of its leases. */
export interface Focus {
  readonly node: string;
  readonly lease?: string;
}

interface TimelineProps {
  readonly nodes: readonly TimelineNode[];
  readonly view: View;
  readonly selection: Selection | null;
  readonly focus: Focus | null;
  readonly onSelect: (selection: Selection) => void;
  readonly onFocus: (focus: Focus) => void;
}

/** Below this many pixels a press is a click, not a drag. */
const DRAG_THRESHOLD_PX = 4;

/**
 * The Gantt chart: a sticky time axis, then one row per node with its label and a lane of bars
 * (offers, their free windows, leases by status, other projects' bookings as hatched busy
 * blocks). Lanes are SVG sized in percent of the window, so nothing is measured on render;
 * rows re-render only when their own data, the window or their selection change.
 */
export function Timeline({ nodes, view, selection, focus, onSelect, onFocus }: TimelineProps) {
  // The press's own target: once the lane captures the pointer, the release targets the lane.
  const drag = useRef<{ node: string; x0: number; t0: number; rect: DOMRect; target: Element; moved: boolean } | null>(
    null,
  );
  const [tip, setTip] = useState<Tip | null>(null);
  const handlers = useRef({ onSelect, onFocus, nodes, view });
  handlers.current = { onSelect, onFocus, nodes, view };

  const timeAt = (rect: DOMRect, clientX: number) => {
    const { view: v } = handlers.current;
    return v.start + ((clientX - rect.left) / rect.width) * SPAN[v.zoom];
  };

  const windowFrom = (node: string, a: number, b: number): Selection => {
    const step = SNAP[handlers.current.view.zoom];
    const start = Math.max(Math.round(Math.min(a, b) / step) * step, Date.now());
    const end = Math.max(Math.round(Math.max(a, b) / step) * step, start + step);
    return { node, start, end };
  };

  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const lane = (e.target as Element).closest('svg.lane') as SVGSVGElement | null;
    const node = lane?.getAttribute('data-node');
    if (!lane || !node) return;
    const rect = lane.getBoundingClientRect();
    drag.current = {
      node,
      x0: e.clientX,
      t0: timeAt(rect, e.clientX),
      rect,
      target: e.target as Element,
      moved: false,
    };
    lane.setPointerCapture?.(e.pointerId);
    e.preventDefault();
  };

  const onPointerMove = (e: PointerEvent) => {
    const d = drag.current;
    if (!d) {
      setTip(tooltipAt(e, handlers.current.nodes));
      return;
    }
    if (!d.moved && Math.abs(e.clientX - d.x0) < DRAG_THRESHOLD_PX) return;
    d.moved = true;
    handlers.current.onSelect(windowFrom(d.node, d.t0, timeAt(d.rect, e.clientX)));
  };

  const onPointerUp = (e: PointerEvent) => {
    const d = drag.current;
    drag.current = null;
    if (!d) return;
    if (d.moved) {
      handlers.current.onSelect(windowFrom(d.node, d.t0, timeAt(d.rect, e.clientX)));
      handlers.current.onFocus({ node: d.node });
      return;
    }
    clickAt(d.node, d.t0, d.target);
  };

  /** A click: a lease opens its details; a free window is selected whole; elsewhere, the node. */
  const clickAt = (nodeUuid: string, t: number, target: Element) => {
    const { nodes: all, onFocus: focusOn, onSelect: select } = handlers.current;
    const lease = target.closest('[data-lease]')?.getAttribute('data-lease');
    if (lease) {
      focusOn({ node: nodeUuid, lease });
      return;
    }
    const node = all.find((n) => n.uuid === nodeUuid);
    focusOn({ node: nodeUuid });
    if (!node) return;
    for (const offer of node.offers) {
      for (const [from, to] of offer.availabilities) {
        const start = parseApiTime(from);
        const end = parseApiTime(to);
        if (t >= start && t < end) {
          select({ node: nodeUuid, start: Math.max(start, Date.now()), end });
          return;
        }
      }
    }
    if (node.owned) select(windowFrom(nodeUuid, t, t + SPAN[handlers.current.view.zoom] / 7));
  };

  const rows = nodes.map((node) => (
    <Row
      key={node.uuid}
      node={node}
      view={view}
      selection={selection?.node === node.uuid ? selection : null}
      focused={focus?.node === node.uuid}
      focusedLease={focus?.node === node.uuid ? (focus.lease ?? null) : null}
      onFocus={onFocus}
    />
  ));

  return (
    <div class="timeline" role="table" aria-label="Nodes over time" aria-rowcount={nodes.length}>
      <Axis view={view} />
      <div
        class="rows"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => (drag.current = null)}
        onPointerLeave={() => setTip(null)}
      >
        <Grid view={view} />
        <NowLine view={view} />
        <svg class="defs" aria-hidden="true" width="0" height="0">
          <defs>
            <pattern id="busy-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="6" height="6" fill="#8a94a6" />
              <line x1="0" y1="0" x2="0" y2="6" stroke="#5f6b7e" stroke-width="3" />
            </pattern>
          </defs>
        </svg>
        {rows}
        {tip && (
          <div class="tooltip" role="tooltip" style={{ left: `${tip.x}px`, top: `${tip.y}px` }}>
            {tip.text}
          </div>
        )}
        {nodes.length === 0 && <p class="empty">No node matches. Clear the filters, or ask the owner for an offer.</p>}
      </div>
    </div>
  );
}

function Axis({ view }: { view: View }) {
  const marks = useMemo(() => ticks(view), [view]);
  return (
    <div class="axis" role="row" aria-hidden="true">
      <div class="axis-label">
        {formatUtc(view.start).slice(0, 10)} – {formatUtc(viewEnd(view) - MINUTE).slice(0, 10)} UTC
      </div>
      <div class="axis-lane">
        {marks.map((t) => (
          <span key={t} class="tick" style={{ left: `${percentOf(view, t)}%` }}>
            {tickLabel(view.zoom, t)}
          </span>
        ))}
      </div>
    </div>
  );
}

function Grid({ view }: { view: View }) {
  const marks = useMemo(() => ticks(view), [view]);
  return (
    <div class="grid" aria-hidden="true">
      {marks.map((t) => (
        <span key={t} class="grid-line" style={{ left: `${percentOf(view, t)}%` }} />
      ))}
    </div>
  );
}

/** The current time, moved every 30 s by itself so that the rows need not re-render for it. */
function NowLine({ view }: { view: View }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  if (now < view.start || now > viewEnd(view)) return null;
  return (
    <div class="grid" aria-hidden="true">
      <span class="now-line" title={`now: ${formatUtc(now)} UTC`} style={{ left: `${percentOf(view, now)}%` }} />
    </div>
  );
}

interface RowProps {
  readonly node: TimelineNode;
  readonly view: View;
  readonly selection: Selection | null;
  readonly focused: boolean;
  readonly focusedLease: string | null;
  readonly onFocus: (focus: Focus) => void;
}

/** One node. A class for shouldComponentUpdate: a thousand rows must not re-render for one. */
class Row extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    const p = this.props;
    return (
      p.node !== next.node ||
      p.view !== next.view ||
      p.selection !== next.selection ||
      p.focused !== next.focused ||
      p.focusedLease !== next.focusedLease
    );
  }

  private onKeyDown = (e: KeyboardEvent) => {
    const row = e.currentTarget as HTMLElement;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.props.onFocus({ node: this.props.node.uuid });
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = e.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
      if (next instanceof HTMLElement && next.classList.contains('row')) next.focus();
    }
  };

  override render({ node, view, selection, focused, focusedLease }: RowProps) {
    const at = (iso: string) => percentOf(view, parseApiTime(iso));
    const bar = (start: string, end: string) => {
      const x = at(start);
      return { x: `${x}%`, width: `${Math.max(0, at(end) - x)}%` };
    };
    const unhealthy = node.health !== null && !node.health.healthy;
    const mine = node.leases.filter((l) => l.mine).length;
    const classes = ['row', focused && 'focused', node.owned && 'owned', unhealthy && 'unhealthy'].filter(Boolean);
    return (
      <div
        class={classes.join(' ')}
        role="row"
        tabIndex={0}
        data-node={node.uuid}
        aria-label={`${nodeLabel(node)}, ${node.resource_class ?? 'no class'}${node.owned ? ', yours' : ''}, ${node.leases.length + node.busy.length} bookings${mine ? `, ${mine} of them yours` : ''}`}
        onKeyDown={this.onKeyDown}
      >
        <div class="label" role="rowheader" onClick={() => this.props.onFocus({ node: node.uuid })}>
          <span class="node-name">{nodeLabel(node)}</span>
          {node.owned && <span class="badge owned-badge">yours</span>}
          {unhealthy && (
            <span class="badge health-badge" title={node.health?.reason ?? node.health?.flags.join(', ')}>
              {node.health?.flags[0] ?? 'unhealthy'}
            </span>
          )}
          <span class="node-meta">{nodeMeta(node)}</span>
        </div>
        <svg class="lane" role="cell" data-node={node.uuid} preserveAspectRatio="none">
          {node.offers.map((o) => (
            <rect
              key={o.uuid}
              class="offer"
              data-offer={o.uuid}
              y="3"
              height="28"
              rx="2"
              {...bar(o.start_time, o.end_time)}
            />
          ))}
          {node.offers.flatMap((o) =>
            o.availabilities.map(([s, e]) => (
              <rect key={`${o.uuid}-${s}`} class="free" data-offer={o.uuid} y="6" height="22" {...bar(s, e)} />
            )),
          )}
          {node.busy.map((b) => (
            <rect
              key={b.start_time}
              class="busy"
              data-busy={`${b.start_time}|${b.end_time}`}
              y="6"
              height="22"
              {...bar(b.start_time, b.end_time)}
            />
          ))}
          {node.leases.map((l) => (
            <rect
              key={l.uuid}
              class={`lease ${statusClass(l.status)}${l.mine ? ' mine' : ''}${l.degraded ? ' degraded' : ''}${focusedLease === l.uuid ? ' focused' : ''}`}
              data-lease={l.uuid}
              data-status={l.status}
              y="6"
              height="22"
              rx="3"
              {...bar(l.start_time, l.end_time)}
            />
          ))}
          {selection && (
            <rect
              class="selection"
              y="2"
              height="30"
              x={`${percentOf(view, selection.start)}%`}
              width={`${Math.max(0, percentOf(view, selection.end) - percentOf(view, selection.start))}%`}
            />
          )}
        </svg>
      </div>
    );
  }
}

const span = (start: string, end: string) => `${formatUtc(parseApiTime(start))} – ${formatUtc(parseApiTime(end))} UTC`;

function offerTitle(o: TimelineOffer): string {
  const lessee = o.lessee ? ` for ${o.lessee}` : '';
  return `Offer ${o.name ?? o.uuid} by ${o.project || o.project_id}${lessee}: ${span(o.start_time, o.end_time)}`;
}

function leaseTitle(l: TimelineLease): string {
  const purpose = l.purpose ? ` — ${l.purpose}` : '';
  return `${l.name ?? 'Lease'} (${statusLabel(l.status)}) for ${l.project || l.project_id}: ${span(l.start_time, l.end_time)}${purpose}`;
}

function nodeMeta(node: TimelineNode): string {
  const properties = keyProperties(node);
  const owner = node.owner && !node.owned ? ` · ${node.owner}` : '';
  return `${node.resource_class ?? ''}${properties ? ` · ${properties}` : ''}${owner}`;
}

interface Tip {
  readonly x: number;
  readonly y: number;
  readonly text: string;
}

/**
 * The tooltip of the bar under the pointer: one element for the whole chart rather than one
 * per bar, which for a month of a large fleet would be tens of thousands.
 */
function tooltipAt(e: PointerEvent, nodes: readonly TimelineNode[]): Tip | null {
  const target = e.target as Element;
  const bar = target.closest('[data-lease],[data-offer],[data-busy]');
  const row = target.closest('[data-node]');
  const container = target.closest('.rows');
  if (!bar || !row || !container) return null;
  const node = nodes.find((n) => n.uuid === row.getAttribute('data-node'));
  if (!node) return null;
  let text: string | null = null;
  const lease = bar.getAttribute('data-lease');
  const offer = bar.getAttribute('data-offer');
  const busy = bar.getAttribute('data-busy');
  if (lease) {
    const l = node.leases.find((x) => x.uuid === lease);
    if (l) text = leaseTitle(l);
  } else if (offer) {
    const o = node.offers.find((x) => x.uuid === offer);
    if (o) text = offerTitle(o);
  } else if (busy) {
    const [start, end] = busy.split('|');
    text = `Booked by another project: ${span(start, end)}`;
  }
  if (!text) return null;
  const box = container.getBoundingClientRect();
  return { x: e.clientX - box.left + 12, y: e.clientY - box.top + 16, text };
}

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { nodeLabel } from '../format';
import { forgetToken, storedIdentity, storedToken } from '../session';
import { formatUtc, toApiTime } from '../time';
import type { Lease, Timeline as TimelineData } from '../types';
import { shifted, View, viewAround, viewEnd, Zoom, ZOOMS } from '../view';
import { GroupPanel } from './GroupPanel';
import { MyLeases } from './MyLeases';
import { NodePanel } from './NodePanel';
import { SignIn } from './SignIn';
import { Focus, Selection, Timeline } from './Timeline';

/** Runs one change against the API: says it worked, or shows the API's own words for why not. */
export type Act = (success: string, run: () => Promise<unknown>) => Promise<boolean>;

type Auth =
  | { readonly state: 'checking' }
  | { readonly state: 'signed-out'; readonly problem: string | null }
  /** `open`: the service runs without Keystone (embedded mode); `keystone`: a token is held. */
  | { readonly state: 'in'; readonly mode: 'open' | 'keystone' };

type Tab = 'node' | 'group' | 'mine';

/** How often the console asks for new lease events, and re-reads everything regardless. */
const EVENT_POLL_MS = 4000;
const FULL_REFRESH_MS = 60_000;

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  const [view, setView] = useState<View>(() => viewAround('week', Date.now()));
  const [resourceClass, setResourceClass] = useState('');
  const [constraintText, setConstraintText] = useState('');
  const [constraints, setConstraints] = useState<readonly string[]>([]);
  const [search, setSearch] = useState('');
  const [timeline, setTimeline] = useState<TimelineData | null>(null);
  const [leases, setLeases] = useState<readonly Lease[]>([]);
  const [classes, setClasses] = useState<readonly string[]>([]);
  const [selection, setSelection] = useState<Selection | null>(null);
  const [focus, setFocus] = useState<Focus | null>(null);
  const [tab, setTab] = useState<Tab>('node');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const requestSeq = useRef(0);

  const signedOut = (problem: string | null) => {
    forgetToken();
    setTimeline(null);
    setLeases([]);
    setAuth({ state: 'signed-out', problem });
  };

  /** Reads the timeline for the window and filters, and the caller's leases; the latest call wins. */
  const load = useCallback(async () => {
    const seq = ++requestSeq.current;
    setLoading(true);
    try {
      const [data, own] = await Promise.all([
        api.timeline({ start: toApiTime(view.start), end: toApiTime(viewEnd(view)), resourceClass, constraints }),
        api.leases(),
      ]);
      if (seq !== requestSeq.current) return;
      performance.mark('timeline-data');
      setTimeline(data);
      setLeases(own);
      setError(null);
      setAuth((a) => (a.state === 'in' ? a : { state: 'in', mode: storedToken() ? 'keystone' : 'open' }));
      if (!resourceClass && constraints.length === 0) {
        const seen = new Set(data.nodes.map((n) => n.resource_class).filter((c): c is string => !!c));
        setClasses((known) => [...new Set([...known, ...seen])].sort());
      }
    } catch (err) {
      if (seq !== requestSeq.current) return;
      if (err instanceof ApiError && err.status === 401) {
        signedOut(storedToken() ? 'Your token was refused or has expired. Sign in again.' : null);
      } else {
        setError((err as Error).message);
        setAuth((a) => (a.state === 'checking' ? { state: 'in', mode: storedToken() ? 'keystone' : 'open' } : a));
      }
    } finally {
      if (seq === requestSeq.current) setLoading(false);
    }
  }, [view, resourceClass, constraints]);

  useEffect(() => {
    if (auth.state !== 'signed-out') void load();
  }, [load, auth.state === 'signed-out']);

  // How long the rows took to appear once their data arrived (read by the browser tests).
  useEffect(() => {
    if (!timeline) return;
    requestAnimationFrame(() => {
      if (performance.getEntriesByName('timeline-data', 'mark').length === 0) return;
      performance.measure('timeline-render', 'timeline-data');
      performance.clearMarks('timeline-data');
    });
  }, [timeline]);

  useLiveRefresh(auth.state === 'in', load);

  const act: Act = async (success, run) => {
    setError(null);
    setNotice(null);
    try {
      await run();
      setNotice(success);
      await load();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401)
        signedOut('Your token was refused or has expired. Sign in again.');
      else setError((err as Error).message);
      return false;
    }
  };

  const signOut = async () => {
    const token = storedToken();
    if (token) await api.signOut(token).catch(() => undefined);
    signedOut(null);
  };

  const nodes = useMemo(() => {
    const all = timeline?.nodes ?? [];
    const needle = search.trim().toLowerCase();
    if (!needle) return all;
    return all.filter((n) => nodeLabel(n).toLowerCase().includes(needle) || n.uuid.toLowerCase().includes(needle));
  }, [timeline, search]);

  const onSelect = useCallback((s: Selection | null) => {
    setSelection(s);
    if (s) setTab('node');
  }, []);
  const onFocus = useCallback((f: Focus) => {
    setFocus(f);
    setTab('node');
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setSelection(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (auth.state === 'checking') return <p class="loading">Loading…</p>;
  if (auth.state === 'signed-out') {
    return <SignIn problem={auth.problem} onSignedIn={() => setAuth({ state: 'checking' })} />;
  }

  const identity = storedIdentity();
  const focusedNode = focus ? (timeline?.nodes.find((n) => n.uuid === focus.node) ?? null) : null;
  const setZoom = (zoom: Zoom) => setView(viewAround(zoom, Date.now()));
  const applyConstraints = (e: Event) => {
    e.preventDefault();
    setConstraints(
      constraintText
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    );
  };

  return (
    <div class="app">
      <header class="top">
        <h1>esi-leap</h1>
        <span class="who">
          {auth.mode === 'open'
            ? `No sign-in (embedded mode) · project ${timeline?.viewer.project_name ?? timeline?.viewer.project_id ?? ''}`
            : `${identity?.user ?? 'token'} · project ${identity?.project ?? timeline?.viewer.project_name ?? ''}`}
        </span>
        {loading && <span class="spinner" aria-label="Loading" />}
        <a class="docs-link" href="../docs">
          API
        </a>
        {auth.mode === 'keystone' && (
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        )}
      </header>

      <nav class="toolbar" aria-label="Timeline controls">
        <div class="group" role="group" aria-label="Zoom">
          {ZOOMS.map((z) => (
            <button key={z} type="button" aria-pressed={view.zoom === z} onClick={() => setZoom(z)}>
              {z[0].toUpperCase() + z.slice(1)}
            </button>
          ))}
        </div>
        <div class="group" role="group" aria-label="Move in time">
          <button type="button" onClick={() => setView(shifted(view, -1))} aria-label="Earlier">
            ◀
          </button>
          <button type="button" onClick={() => setView(viewAround(view.zoom, Date.now()))}>
            Now
          </button>
          <button type="button" onClick={() => setView(shifted(view, 1))} aria-label="Later">
            ▶
          </button>
        </div>
        <label class="inline">
          Class
          <select value={resourceClass} onChange={(e) => setResourceClass((e.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            {classes.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <form class="inline constraints" onSubmit={applyConstraints}>
          <label class="inline">
            Constraints
            <input
              name="constraints"
              placeholder="cpus>=16, memory_mb>=131072"
              value={constraintText}
              onInput={(e) => setConstraintText((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit">Apply</button>
        </form>
        <label class="inline">
          Find
          <input
            type="search"
            name="search"
            placeholder="node name"
            value={search}
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
        </label>
      </nav>

      <div class="messages">
        {error && (
          <p class="error" role="alert">
            <span class="message">{error}</span>{' '}
            <button type="button" class="link" onClick={() => setError(null)}>
              dismiss
            </button>
          </p>
        )}
        {notice && !error && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
      </div>

      <main class="workspace">
        <div class="timeline-scroll" aria-busy={loading}>
          {timeline ? (
            <Timeline
              nodes={nodes}
              view={view}
              selection={selection}
              focus={focus}
              onSelect={onSelect}
              onFocus={onFocus}
            />
          ) : (
            <p class="loading">Loading the timeline…</p>
          )}
        </div>
        <aside class="panel" aria-label="Details and actions">
          <div class="tabs" role="tablist">
            <button type="button" role="tab" aria-selected={tab === 'node'} onClick={() => setTab('node')}>
              Node
            </button>
            <button type="button" role="tab" aria-selected={tab === 'group'} onClick={() => setTab('group')}>
              Several nodes
            </button>
            <button type="button" role="tab" aria-selected={tab === 'mine'} onClick={() => setTab('mine')}>
              My leases
            </button>
          </div>
          <div class="panel-body">
            {tab === 'node' &&
              (timeline && focusedNode && focus ? (
                <NodePanel
                  timeline={timeline}
                  node={focusedNode}
                  focus={focus}
                  selection={selection}
                  onSelect={onSelect}
                  act={act}
                />
              ) : (
                <Help />
              ))}
            {tab === 'group' && (
              <GroupPanel
                resourceClass={resourceClass}
                constraints={constraints}
                window={selection}
                onBooked={(message) => {
                  setNotice(message);
                  void load();
                }}
              />
            )}
            {tab === 'mine' && <MyLeases leases={leases} projectId={timeline?.viewer.project_id ?? null} act={act} />}
          </div>
        </aside>
      </main>
      <Legend generatedAt={timeline?.now} />
    </div>
  );
}

/**
 * Lease events since the page opened (`GET /v1/events`, by time first and then by id) trigger a
 * reload; a full reload runs every minute anyway, for changes that write no event (new offers).
 */
function useLiveRefresh(active: boolean, reload: () => Promise<void>): void {
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  useEffect(() => {
    if (!active) return;
    const openedAt = toApiTime(Date.now() - 1000);
    let lastId: number | null = null;
    let stopped = false;
    const poll = async () => {
      try {
        const events = await api.events(lastId === null ? { last_event_time: openedAt } : { last_event_id: lastId });
        if (stopped || events.length === 0) return;
        lastId = Math.max(lastId ?? 0, ...events.map((e) => e.id));
        await reloadRef.current();
      } catch {
        // The next poll tries again; the reload itself reports errors.
      }
    };
    const events = window.setInterval(poll, EVENT_POLL_MS);
    const full = window.setInterval(() => void reloadRef.current(), FULL_REFRESH_MS);
    return () => {
      stopped = true;
      window.clearInterval(events);
      window.clearInterval(full);
    };
  }, [active]);
}

function Help() {
  return (
    <section class="panel-section">
      <h2>How to</h2>
      <ul class="help">
        <li>
          <strong>Claim</strong>: click a green (free) window on a node, or drag across one, then <em>Claim</em>.
        </li>
        <li>
          <strong>Offer your node</strong>: drag on a row marked <em>yours</em>, then <em>Create offer</em>.
        </li>
        <li>
          <strong>Several nodes</strong>: set the class and constraints above, then the <em>Several nodes</em> tab.
        </li>
        <li>
          <strong>Keyboard</strong>: Tab to a row, arrows to move, Enter to open it here; Escape clears a selection.
        </li>
      </ul>
    </section>
  );
}

function Legend({ generatedAt }: { generatedAt?: string }) {
  return (
    <footer class="legend" aria-label="Legend">
      <span class="key offer-key">offered</span>
      <span class="key free-key">free</span>
      <span class="key status-created">booked</span>
      <span class="key status-active">active</span>
      <span class="key status-wait-expire">ending</span>
      <span class="key status-error">error</span>
      <span class="key status-expired">ended</span>
      <span class="key busy-key">another project</span>
      <span class="key mine-key">yours</span>
      {generatedAt && (
        <span class="muted small">as of {formatUtc(Date.parse(`${generatedAt.slice(0, 19)}Z`))} UTC</span>
      )}
    </footer>
  );
}

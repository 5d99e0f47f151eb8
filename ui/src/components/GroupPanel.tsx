import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { DAY, formatUtc, fromInputValue, HOUR, parseApiTime, toApiTime, toInputValue } from '../time';
import type { AvailabilityWindow, CapacityReport, GroupPlan, LeaseGroup } from '../types';

interface GroupPanelProps {
  readonly resourceClass: string;
  readonly constraints: readonly string[];
  /** A window picked on the timeline, used as the group's window when there is one. */
  readonly window: { start: number; end: number } | null;
  /** After a booking: say so and refresh what is shown. */
  readonly onBooked: (message: string) => void;
}

type Outcome =
  | { kind: 'plan'; plan: GroupPlan }
  | { kind: 'booked'; group: LeaseGroup }
  | { kind: 'refused'; message: string; capacity: CapacityReport | null }
  | { kind: 'windows'; windows: AvailabilityWindow[] }
  /** The server has no such route: `what` says so in a sentence. */
  | { kind: 'unsupported'; what: string };

/**
 * "N nodes matching the filter for this window": a dry run first (which nodes it would take,
 * or why it cannot), then the booking, all or nothing; and the earliest windows in which N
 * nodes are free. A server without group leases or the availability search says so.
 */
export function GroupPanel({ resourceClass, constraints, window: picked, onBooked }: GroupPanelProps) {
  const soon = Math.ceil(Date.now() / HOUR) * HOUR;
  const [count, setCount] = useState(2);
  const [start, setStart] = useState(toInputValue(picked?.start ?? soon));
  const [end, setEnd] = useState(toInputValue(picked?.end ?? soon + DAY));
  const [name, setName] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);

  const body = (dryRun: boolean) => ({
    count,
    ...(resourceClass ? { resource_class: resourceClass } : {}),
    ...(constraints.length ? { constraints } : {}),
    start_time: toApiTime(fromInputValue(start)),
    end_time: toApiTime(fromInputValue(end)),
    ...(name ? { name } : {}),
    ...(dryRun ? { dry_run: true } : {}),
  });

  const refusal = (err: unknown, what: string): Outcome => {
    // A server without the route answers as pecan did for an unknown collection: 405 (or 404).
    const missing = err instanceof ApiError && (err.status === 404 || err.status === 405) && !err.body?.faultstring;
    if (missing) return { kind: 'unsupported', what };
    const capacity = err instanceof ApiError ? ((err.body?.capacity as CapacityReport | undefined) ?? null) : null;
    return { kind: 'refused', message: (err as Error).message, capacity };
  };

  const run = async (step: () => Promise<Outcome>) => {
    setBusy(true);
    try {
      setOutcome(await step());
    } finally {
      setBusy(false);
    }
  };

  const check = () =>
    run(() =>
      api.leaseGroup(body(true)).then(
        (answer) => ({ kind: 'plan', plan: answer as GroupPlan }) as Outcome,
        (err: unknown) => refusal(err, 'This server does not offer group leases yet.'),
      ),
    );

  const book = () =>
    run(() =>
      api.leaseGroup(body(false)).then(
        (group) => {
          onBooked(`Booked ${count} nodes.`);
          return { kind: 'booked', group: group as LeaseGroup } as Outcome;
        },
        (err: unknown) => refusal(err, 'This server does not offer group leases yet.'),
      ),
    );

  const search = () =>
    run(() =>
      api
        .availability({
          count,
          duration: String(Math.max(60, Math.round((fromInputValue(end) - fromInputValue(start)) / 1000))),
          resource_class: resourceClass || undefined,
          constraint: constraints,
          not_before: toApiTime(Math.max(Date.now(), fromInputValue(start) - 30 * DAY)),
          limit: 5,
        })
        .then(
          (windows) => ({ kind: 'windows', windows }) as Outcome,
          (err: unknown) => refusal(err, 'This server does not offer the availability search yet.'),
        ),
    );

  const useWindow = (w: { start_time: string; end_time: string }) => {
    setStart(toInputValue(parseApiTime(w.start_time)));
    setEnd(toInputValue(parseApiTime(w.end_time)));
  };

  return (
    <section class="panel-section" aria-labelledby="group-heading">
      <h2 id="group-heading">Several nodes at once</h2>
      <p class="muted small">
        All or nothing: {resourceClass ? `class ${resourceClass}` : 'any class'}
        {constraints.length ? `, ${constraints.join(', ')}` : ''} (from the filter above).
      </p>
      <form class="card" onSubmit={(e) => (e.preventDefault(), check())} aria-label="Group request">
        <div class="field-row">
          <label>
            Nodes
            <input
              type="number"
              name="count"
              min={1}
              max={1000}
              value={count}
              onInput={(e) => setCount(Number((e.target as HTMLInputElement).value))}
            />
          </label>
          <label>
            Name <input value={name} maxLength={35} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </label>
        </div>
        <div class="field-row">
          <label>
            From (UTC)
            <input
              type="datetime-local"
              name="group-start"
              value={start}
              onChange={(e) => setStart((e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            To (UTC)
            <input
              type="datetime-local"
              name="group-end"
              value={end}
              onChange={(e) => setEnd((e.target as HTMLInputElement).value)}
            />
          </label>
        </div>
        <div class="actions">
          <button type="submit" disabled={busy}>
            Check
          </button>
          <button type="button" class="primary" disabled={busy} onClick={book}>
            Book {count}
          </button>
          <button type="button" disabled={busy} onClick={search}>
            Earliest windows
          </button>
        </div>
      </form>
      {outcome && <OutcomeView outcome={outcome} onUseWindow={useWindow} />}
    </section>
  );
}

function OutcomeView({
  outcome,
  onUseWindow,
}: {
  outcome: Outcome;
  onUseWindow: (w: { start_time: string; end_time: string }) => void;
}) {
  switch (outcome.kind) {
    case 'unsupported':
      return (
        <p class="notice" role="status">
          {outcome.what}
        </p>
      );
    case 'plan':
      return (
        <div class="card" role="status" data-testid="group-plan">
          <h3>These {outcome.plan.resources.length} nodes are free</h3>
          <ul>
            {outcome.plan.resources.map((r) => (
              <li key={r.resource_uuid}>{r.resource ?? r.resource_uuid}</li>
            ))}
          </ul>
        </div>
      );
    case 'booked':
      return (
        <div class="card" role="status">
          <h3>Booked {outcome.group.count} nodes</h3>
          <ul>
            {outcome.group.leases.map((l) => (
              <li key={l.uuid}>{l.resource ?? l.resource_uuid}</li>
            ))}
          </ul>
        </div>
      );
    case 'windows':
      return outcome.windows.length === 0 ? (
        <p class="notice" role="status">
          No window found with that many nodes free.
        </p>
      ) : (
        <ul class="card windows" role="status">
          {outcome.windows.map((w) => (
            <li key={w.start_time}>
              {formatUtc(parseApiTime(w.start_time))} – {formatUtc(parseApiTime(w.end_time))} UTC
              {w.count !== undefined ? ` (${w.count} free)` : ''}{' '}
              <button type="button" class="link" onClick={() => onUseWindow(w)}>
                use
              </button>
            </li>
          ))}
        </ul>
      );
    case 'refused': {
      const c = outcome.capacity;
      return (
        <div class="card explanation" role="alert" data-testid="group-explanation">
          <h3>Cannot book this group</h3>
          <p>{outcome.message}</p>
          {c && (
            <dl>
              {c.candidates !== undefined && (
                <>
                  <dt>Nodes you may book</dt>
                  <dd>{c.candidates}</dd>
                </>
              )}
              {c.matching !== undefined && (
                <>
                  <dt>Matching the constraints</dt>
                  <dd>{c.matching}</dd>
                </>
              )}
              {c.free !== undefined && (
                <>
                  <dt>Free for the whole window</dt>
                  <dd>{c.free}</dd>
                </>
              )}
              {c.most_excluding && (
                <>
                  <dt>Excluded most</dt>
                  <dd>{c.most_excluding}</dd>
                </>
              )}
              {c.earliest_window && (
                <>
                  <dt>Earliest window</dt>
                  <dd>
                    {formatUtc(parseApiTime(c.earliest_window.start_time))} –{' '}
                    {formatUtc(parseApiTime(c.earliest_window.end_time))}{' '}
                    <button type="button" class="link" onClick={() => onUseWindow(c.earliest_window!)}>
                      use it
                    </button>
                  </dd>
                </>
              )}
            </dl>
          )}
        </div>
      );
    }
  }
}

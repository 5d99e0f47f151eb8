/** The part of autocannon's result used here (the package ships no types). */
interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}
type RawRequest = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

export interface LoadSpec {
  readonly name: string;
  readonly url: string;
  /** A fixed path, or a fresh one per request (show-by-uuid over many offers). */
  readonly path: string | (() => string);
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  /** A fresh body per request (contention runs). */
  readonly body?: () => string;
  readonly connections: number;
  readonly seconds: number;
  /** Statuses that are the expected outcome of the scenario, not errors (409 for contention). */
  readonly expected?: readonly number[];
}

export interface LoadResult {
  readonly name: string;
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly ok: number;
  readonly expected: number;
  /** Non-2xx apart from `expected`, plus socket errors and timeouts. */
  readonly errors: number;
}

/** Runs autocannon against one endpoint and keeps the figures the report needs. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url + (typeof spec.path === 'string' ? spec.path : spec.path()),
    method: spec.method ?? 'GET',
    headers: { ...(spec.body ? { 'content-type': 'application/json' } : {}), ...spec.headers },
    connections: spec.connections,
    duration: spec.seconds,
    timeout: 30,
    requests:
      spec.body || typeof spec.path !== 'string'
        ? [
            {
              setupRequest: (req: RawRequest) => ({
                ...req,
                ...(typeof spec.path === 'string' ? {} : { path: spec.path() }),
                ...(spec.body ? { body: spec.body() } : {}),
              }),
            },
          ]
        : undefined,
  });
  const byStatus = result.statusCodeStats ?? {};
  const count = (codes: (code: number) => boolean) =>
    Object.entries(byStatus)
      .filter(([code]) => codes(Number(code)))
      .reduce((sum, [, stat]) => sum + Number(stat.count), 0);
  const expectedCodes = spec.expected ?? [];
  const ok = count((c) => c >= 200 && c < 300);
  const expected = count((c) => expectedCodes.includes(c));
  const unexpected = count((c) => (c < 200 || c >= 300) && !expectedCodes.includes(c));
  return {
    name: spec.name,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    expected,
    errors: unexpected + result.errors + result.timeouts,
  };
}

import { storedToken } from './session';
import type { AvailabilityWindow, EsiEvent, GroupPlan, Lease, LeaseGroup, SignedIn, Timeline } from './types';

/**
 * The API, relative to where the console is served: the page is `<base>/ui/`, the API
 * `<base>/v1/...`, so a reverse proxy may put both under any path prefix.
 */
const apiBase = () => new URL('../', window.location.href);
const consoleBase = () => new URL('./', window.location.href);

/** An API answer other than 2xx, with the API's own words for it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> | null,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | readonly string[] | undefined>;

function withQuery(url: URL, query: Query = {}): URL {
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
  }
  return url;
}

async function request<T>(method: string, url: URL, body?: unknown, token = storedToken()): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers['X-Auth-Token'] = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'The service cannot be reached. Check your connection and try again.', null);
  }
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, messageOf(response.status, parsed), asRecord(parsed));
  return parsed as T;
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** The API's faultstring; Keystone's refusal (`{"error": {"message"}}`); else the status. */
function messageOf(status: number, body: unknown): string {
  const record = asRecord(body);
  if (record && typeof record.faultstring === 'string') return record.faultstring;
  const error = asRecord(record?.error);
  if (error && typeof error.message === 'string') return error.message;
  return `The service answered HTTP ${status}.`;
}

const v1 = (path: string, query?: Query) => withQuery(new URL(`v1/${path}`, apiBase()), query);

export interface TimelineRequest {
  readonly start: string;
  readonly end: string;
  readonly resourceClass?: string;
  readonly constraints: readonly string[];
}

export const api = {
  timeline: (q: TimelineRequest) =>
    request<Timeline>(
      'GET',
      v1('timeline', {
        start_time: q.start,
        end_time: q.end,
        resource_class: q.resourceClass || undefined,
        constraint: q.constraints,
      }),
    ),
  leases: () => request<{ leases: Lease[] }>('GET', v1('leases')).then((b) => b.leases),
  events: (query: Query) => request<{ events: EsiEvent[] }>('GET', v1('events', query)).then((b) => b.events),
  claim: (offer: string, body: Record<string, unknown>) => request<Lease>('POST', v1(`offers/${offer}/claim`), body),
  createOffer: (body: Record<string, unknown>) => request<{ uuid: string }>('POST', v1('offers'), body),
  deleteOffer: (offer: string) => request<unknown>('DELETE', v1(`offers/${offer}`)),
  cancelLease: (lease: string) => request<unknown>('DELETE', v1(`leases/${lease}`)),
  extendLease: (lease: string, end: string) => request<Lease>('PATCH', v1(`leases/${lease}`), { end_time: end }),
  leaseGroup: (body: Record<string, unknown>) => request<GroupPlan | LeaseGroup>('POST', v1('lease_groups'), body),
  availability: (query: Query) =>
    request<{ windows: AvailabilityWindow[] }>('GET', v1('availability', query)).then((b) => b.windows ?? []),
  signIn: (body: Record<string, string>) => request<SignedIn>('POST', new URL('session', consoleBase()), body, null),
  signOut: (token: string) => request<unknown>('DELETE', new URL('session', consoleBase()), undefined, token),
};

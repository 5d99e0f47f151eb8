import { Request, Response } from 'express';
import { ClientError } from '../errors/esi-leap.exceptions';
import { queryLengthLimit, rateLimit } from './request-limits';

function call(
  handler: ReturnType<typeof rateLimit>,
  req: Partial<Request>,
): { err: unknown; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const res = { setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as Response;
  let err: unknown = 'not called';
  handler(req as Request, res, (e?: unknown) => (err = e));
  return { err, headers };
}

describe('queryLengthLimit', () => {
  it('answers 414 for a query string longer than the limit, counted in bytes', () => {
    const limit = queryLengthLimit(4);
    expect(call(limit, { originalUrl: '/v1/offers?a=bc' }).err).toBeUndefined();
    const { err } = call(limit, { originalUrl: '/v1/offers?a=é' + 'x' });
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).status).toBe(414);
    expect(call(queryLengthLimit(0), { originalUrl: `/?${'x'.repeat(100_000)}` }).err).toBeUndefined();
  });
});

describe('rateLimit', () => {
  it('counts per project in fixed windows and answers 429 with Retry-After', () => {
    let now = 1_000_000;
    const limit = rateLimit({
      limit: 2,
      periodSeconds: 10,
      projectOf: (req) => (req.headers?.p as string) ?? null,
      now: () => now,
    });
    const as = (p: string) => call(limit, { headers: { p } });
    expect(as('a').err).toBeUndefined();
    expect(as('a').err).toBeUndefined();
    now += 2_500;
    const over = as('a');
    expect((over.err as ClientError).status).toBe(429);
    expect(over.headers['Retry-After']).toBe('8');
    expect(as('b').err).toBeUndefined();
    now += 7_500; // the window ends
    expect(as('a').err).toBeUndefined();
  });

  it('is off with a limit of 0', () => {
    const limit = rateLimit({ limit: 0, periodSeconds: 1, projectOf: () => 'p' });
    for (let i = 0; i < 1000; i++) expect(call(limit, { headers: {} }).err).toBeUndefined();
  });
});

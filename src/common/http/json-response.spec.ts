import { Logger } from '@nestjs/common';
import express from 'express';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { gunzipSync } from 'node:zlib';
import { jsonResponseMiddleware, JsonResponseOptions, jsonResponses, PagedJsonList } from './json-response';
import { pagedList } from './list-paging';

/** An Express app answering `res.json(body())`, as Nest's adapter does, behind our middleware. */
function appSending(body: () => unknown) {
  const app = express();
  app.use(jsonResponseMiddleware);
  app.get('/', (_req, res) => void res.json(body()));
  return app;
}

const row = (i: number) => ({
  name: i % 7 === 0 ? null : `row-${i}`,
  uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  // Multi-byte text and escapes must come out exactly as JSON.stringify writes them.
  properties: { note: i % 3 === 0 ? 'grüße, "quoted" \\ \u2028 \n' : i, nested: [i, { ok: true }] },
  availabilities: [['2030-01-01T00:00:00', '2030-01-02T00:00:00.000001']],
});

async function* onePage(rows: readonly unknown[]) {
  yield rows;
}

describe('list responses', () => {
  it.each([0, 1, 99, 100, 101, 1234])('%i rows: the same bytes as JSON.stringify of the whole body', async (n) => {
    const rows = Array.from({ length: n }, (_, i) => row(i));
    const res = await request(appSending(() => new PagedJsonList('offers', onePage(rows))))
      .get('/')
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (chunk: string) => (text += chunk));
        r.on('end', () => done(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toBe(JSON.stringify({ offers: rows }));
    if (n < 100) {
      // One chunk: sent whole, with its length, like any other reply.
      expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body as string)));
    } else {
      expect(res.headers['content-length']).toBeUndefined();
      expect(res.headers['transfer-encoding']).toBe('chunked');
    }
  });

  it('leaves other bodies as they were: a Content-Length and compact JSON', async () => {
    const res = await request(appSending(() => ({ a: [1, 'ü'] }))).get('/');
    expect(res.text).toBe('{"a":[1,"ü"]}');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength('{"a":[1,"ü"]}')));
  });
});

describe('PagedJsonList responses', () => {
  afterEach(() => jest.restoreAllMocks());

  const text = (r: NodeJS.ReadableStream, done: (err: Error | null, body: string) => void) => {
    let body = '';
    r.setEncoding('utf8');
    r.on('data', (chunk: string) => (body += chunk));
    r.on('end', () => done(null, body));
  };
  /** The answer to a GET of a route that sends `list`, its body as the text written. */
  const sendList = (list: () => PagedJsonList) =>
    request(appSending(list))
      .get('/')
      .buffer(true)
      .parse((r, done) => text(r as unknown as NodeJS.ReadableStream, done));
  async function* pagesOf(rows: unknown[], size: number) {
    for (let i = 0; i < rows.length; i += size) {
      await new Promise((resolve) => setImmediate(resolve));
      yield rows.slice(i, i + size);
    }
  }

  it.each([
    [0, 7],
    [3, 7],
    [99, 50],
    [100, 100],
    [250, 7],
    [1234, 500],
  ])('%i rows in pages of %i: the same bytes as JSON.stringify of the whole body', async (n, size) => {
    const rows = Array.from({ length: n }, (_, i) => row(i));
    const res = await sendList(() => new PagedJsonList('leases', pagesOf(rows, size)));
    expect(res.status).toBe(200);
    expect(res.body).toBe(JSON.stringify({ leases: rows }));
    if (n < 100) expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body as string)));
    else expect(res.headers['transfer-encoding']).toBe('chunked');
  });

  it.each([
    [0, {}],
    [3, { window: { start: '2030-01-01T00:00:00' }, note: 'grüße' }],
    [250, { now: '2030-01-01T00:00:00', viewer: { project_id: null } }],
  ])('%i rows after the keys %j: the same bytes as JSON.stringify of the whole body', async (n, head) => {
    const rows = Array.from({ length: n }, (_, i) => row(i));
    const res = await sendList(() => new PagedJsonList('nodes', pagesOf(rows, 70), { head }));
    expect(res.status).toBe(200);
    expect(res.body).toBe(JSON.stringify({ ...head, nodes: rows }));
  });

  it.each([
    [9, 10],
    [25, 10],
  ])('%i rows %i to a chunk: the same bytes, chunked only past one chunk', async (n, rowsPerChunk) => {
    const rows = Array.from({ length: n }, (_, i) => row(i));
    const res = await sendList(() => new PagedJsonList('nodes', pagesOf(rows, 7), { rowsPerChunk }));
    expect(res.body).toBe(JSON.stringify({ nodes: rows }));
    if (n < rowsPerChunk) expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body as string)));
    else expect(res.headers['transfer-encoding']).toBe('chunked');
  });

  it('stops reading pages when the client goes away', async () => {
    let read = 0;
    let finished = false;
    async function* endless() {
      try {
        for (;;) {
          read++;
          await new Promise((resolve) => setImmediate(resolve));
          yield Array.from({ length: 100 }, (_, i) => row(i));
        }
      } finally {
        finished = true;
      }
    }
    const server = appSending(() => new PagedJsonList('offers', endless())).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => {
      const req = http.get({ port, host: '127.0.0.1', path: '/' }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
    });
    for (let i = 0; i < 100 && !finished; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    server.close();
    expect(finished).toBe(true);
    const seen = read;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(read).toBe(seen);
  });

  it('a page failing after the first chunk cuts the connection and logs once', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    async function* failing() {
      yield Array.from({ length: 150 }, (_, i) => row(i));
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('Connection lost');
    }
    const server = appSending(() => new PagedJsonList('leases', failing())).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const outcome = await new Promise<{ status: number; body: string; complete: boolean }>((resolve) => {
      http.get({ port, host: '127.0.0.1', path: '/' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        const done = () => resolve({ status: res.statusCode!, body, complete: res.complete });
        res.on('end', done);
        res.on('error', done);
        res.on('aborted', done);
      });
    });
    server.close();
    expect(outcome.status).toBe(200);
    expect(outcome.complete).toBe(false);
    expect(outcome.body.startsWith('{"leases":[')).toBe(true);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(String(logged.mock.calls[0][0])).toMatch(/^GET \/: list aborted after 200 .*Connection lost/);
  });

  it('a page failing before anything was sent answers a 500 fault body', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    async function* failing(): AsyncGenerator<unknown[]> {
      yield [];
      throw new Error('Connection lost');
    }
    const res = await request(appSending(() => new PagedJsonList('leases', failing()))).get('/');
    expect(res.status).toBe(500);
    expect(res.text).toBe('{"faultcode":"Server","faultstring":"An unknown exception occurred.","debuginfo":null}');
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it('is written by sendJson only', () => {
    expect(() => JSON.stringify(new PagedJsonList('leases', pagesOf([], 1)))).toThrow(/sendJson only/);
  });
});

describe('compressed replies', () => {
  const MIN = 2000;
  const GZIP: JsonResponseOptions = { gzipLevel: 6, gzipMinSize: MIN };

  function appWith(options: JsonResponseOptions, body: () => unknown) {
    const app = express();
    app.use(jsonResponses(options));
    app.get('/', (_req, res) => void res.json(body()));
    return app;
  }

  /** The reply as it came over the wire: status, headers and undecoded bytes. */
  async function raw(app: express.Express, headers: Record<string, string>) {
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      return await new Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: Buffer }>(
        (resolve, reject) => {
          http
            .get({ port, host: '127.0.0.1', path: '/', headers }, (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () =>
                resolve({ status: res.statusCode!, headers: res.headers, bytes: Buffer.concat(chunks) }),
              );
            })
            .on('error', reject);
        },
      );
    } finally {
      server.close();
    }
  }

  async function* pagesOf<T>(rows: T[], size: number) {
    for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
  }

  const rows = (n: number) => Array.from({ length: n }, (_, i) => row(i));
  const bodies: [string, () => unknown, string][] = [
    ['an object', () => ({ offer: rows(1)[0] }), JSON.stringify({ offer: rows(1)[0] })],
    ['a larger object', () => ({ offers: rows(40) }), JSON.stringify({ offers: rows(40) })],
    ...[0, 3, 20, 99, 100, 250, 1234].map((n): [string, () => unknown, string] => [
      `a list of ${n} rows`,
      () => new PagedJsonList('leases', pagesOf(rows(n), 70)),
      JSON.stringify({ leases: rows(n) }),
    ]),
  ];

  it.each(bodies)(
    '%s: gzip decodes to exactly the identity body, compressed only from the threshold on',
    async (_, body, expected) => {
      const plain = await raw(appWith(GZIP, body), {});
      const off = await raw(appWith({ gzipLevel: 0, gzipMinSize: 0 }, body), { 'accept-encoding': 'gzip' });
      const zipped = await raw(appWith(GZIP, body), { 'accept-encoding': 'gzip, deflate' });
      const large = Buffer.byteLength(expected) >= MIN;
      for (const res of [plain, off, zipped]) {
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe('application/json');
      }
      // Compression off, or no gzip asked: the bytes as always.
      expect(off.bytes.toString('utf8')).toBe(expected);
      expect(off.headers.vary).toBeUndefined();
      expect(off.headers['content-encoding']).toBeUndefined();
      expect(plain.bytes.toString('utf8')).toBe(expected);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers.vary).toBe(large ? 'Accept-Encoding' : undefined);
      if (!large) {
        // Below the threshold: the same reply as without compression, headers included.
        expect(zipped.bytes.toString('utf8')).toBe(expected);
        expect(zipped.headers['content-encoding']).toBeUndefined();
        expect(zipped.headers.vary).toBeUndefined();
        expect(zipped.headers['content-length']).toBe(String(Buffer.byteLength(expected)));
        return;
      }
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers.vary).toBe('Accept-Encoding');
      expect(gunzipSync(zipped.bytes).toString('utf8')).toBe(expected);
      expect(zipped.bytes.length).toBeLessThan(Buffer.byteLength(expected));
      if (zipped.headers['content-length'] !== undefined) {
        expect(zipped.headers['content-length']).toBe(String(zipped.bytes.length));
      } else {
        expect(zipped.headers['transfer-encoding']).toBe('chunked');
      }
    },
  );

  it('sends a non-list reply whole with the Content-Length of its compressed bytes', async () => {
    const res = await raw(
      appWith(GZIP, () => ({ offers: rows(40) })),
      { 'accept-encoding': 'gzip' },
    );
    expect(res.headers['content-length']).toBe(String(res.bytes.length));
    expect(res.headers['transfer-encoding']).toBeUndefined();
  });

  it.each(['identity', 'gzip;q=0', 'br', 'gzip;q=0.5, identity'])(
    'does not compress for Accept-Encoding: %s',
    async (accept) => {
      const expected = JSON.stringify({ leases: rows(300) });
      const res = await raw(
        appWith(GZIP, () => new PagedJsonList('leases', pagesOf(rows(300), 70))),
        {
          'accept-encoding': accept,
        },
      );
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.bytes.toString('utf8')).toBe(expected);
    },
  );

  it('stops reading pages when the client of a compressed list goes away', async () => {
    let finished = false;
    let read = 0;
    async function* endless() {
      try {
        for (;;) {
          read++;
          await new Promise((resolve) => setImmediate(resolve));
          yield rows(100);
        }
      } finally {
        finished = true;
      }
    }
    const server = appWith(GZIP, () => new PagedJsonList('offers', endless())).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => {
      const req = http.get({ port, host: '127.0.0.1', path: '/', headers: { 'accept-encoding': 'gzip' } }, (res) => {
        expect(res.headers['content-encoding']).toBe('gzip');
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
    });
    for (let i = 0; i < 100 && !finished; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    server.close();
    expect(finished).toBe(true);
    const seen = read;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(read).toBe(seen);
  });

  it('compresses the next key of a paged list with the rows', async () => {
    const res = await raw(
      appWith(GZIP, () =>
        pagedList('leases', pagesOf(rows(300), 70), { limit: 120, marker: undefined }, (r) => r.uuid),
      ),
      { 'accept-encoding': 'gzip', host: 'esi:7777' },
    );
    expect(res.headers['content-encoding']).toBe('gzip');
    const body = JSON.parse(gunzipSync(res.bytes).toString('utf8'));
    expect(Object.keys(body)).toEqual(['leases', 'next']);
    expect(body.leases).toEqual(rows(120));
    expect(body.next).toBe(`http://esi:7777/?marker=${rows(120)[119].uuid}`);
  });
});

describe('paged list bodies', () => {
  async function* pagesOf<T>(rows: T[], size: number) {
    for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
  }
  const uuids = (n: number) => Array.from({ length: n }, (_, i) => ({ uuid: `u${i}` }));
  const get = (body: () => unknown) => request(appSending(body)).get('/?limit=3&a=1&a=2').set('host', 'h:1');

  it.each([
    [0, 3, '{"rows":[]}'],
    [2, 3, '{"rows":[{"uuid":"u0"},{"uuid":"u1"}]}'],
    [3, 3, '{"rows":[{"uuid":"u0"},{"uuid":"u1"},{"uuid":"u2"}]}'],
    [4, 3, '{"rows":[{"uuid":"u0"},{"uuid":"u1"},{"uuid":"u2"}],"next":"http://h:1/?limit=3&a=1&a=2&marker=u2"}'],
    [4, 1, '{"rows":[{"uuid":"u0"},{"uuid":"u1"},{"uuid":"u2"}],"next":"http://h:1/?limit=3&a=1&a=2&marker=u2"}'],
    [9, 2, '{"rows":[{"uuid":"u0"},{"uuid":"u1"},{"uuid":"u2"}],"next":"http://h:1/?limit=3&a=1&a=2&marker=u2"}'],
  ])('%i rows in pages of %i, limit 3: %s', async (n, size, expected) => {
    const res = await get(() =>
      pagedList('rows', pagesOf(uuids(n), size), { limit: 3, marker: undefined }, (r) => r.uuid),
    );
    expect(res.text).toBe(expected);
  });

  it('stops reading pages once the row after the limit is seen', async () => {
    let read = 0;
    async function* counted() {
      for (let i = 0; i < 10; i++) {
        read++;
        yield uuids(2);
      }
    }
    await get(() => pagedList('rows', counted(), { limit: 3, marker: undefined }, (r) => r.uuid));
    expect(read).toBe(2);
  });
});

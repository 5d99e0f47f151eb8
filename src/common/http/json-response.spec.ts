import { Logger } from '@nestjs/common';
import express from 'express';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { jsonResponseMiddleware, PagedJsonList } from './json-response';

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
    const res = await request(appSending(() => new PagedJsonList('leases', pagesOf(rows, size))))
      .get('/')
      .buffer(true)
      .parse((r, done) => text(r as unknown as NodeJS.ReadableStream, done));
    expect(res.status).toBe(200);
    expect(res.body).toBe(JSON.stringify({ leases: rows }));
    if (n < 100) expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body as string)));
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

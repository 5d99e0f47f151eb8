import express from 'express';
import request from 'supertest';
import { JsonList, jsonResponseMiddleware } from './json-response';

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

describe('JsonList responses', () => {
  it.each([0, 1, 99, 100, 101, 1234])('%i rows: the same bytes as JSON.stringify of the whole body', async (n) => {
    const rows = Array.from({ length: n }, (_, i) => row(i));
    const res = await request(appSending(() => new JsonList('offers', rows.values()))).get('/').buffer(true).parse((r, done) => {
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

  it('renders rows only as they are written, and serialises like an object anywhere else', () => {
    let rendered = 0;
    const rows = function* () {
      for (let i = 0; i < 3; i++) {
        rendered++;
        yield row(i);
      }
    };
    const list = new JsonList('leases', rows());
    expect(rendered).toBe(0);
    expect(JSON.stringify(list)).toBe(JSON.stringify({ leases: [row(0), row(1), row(2)] }));
    expect(rendered).toBe(3);
  });

  it('leaves other bodies as they were: a Content-Length and compact JSON', async () => {
    const res = await request(appSending(() => ({ a: [1, 'ü'] }))).get('/');
    expect(res.text).toBe('{"a":[1,"ü"]}');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength('{"a":[1,"ü"]}')));
  });
});

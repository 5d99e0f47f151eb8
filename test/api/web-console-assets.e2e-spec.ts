import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { get, IncomingHttpHeaders } from 'node:http';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createTestApp, TestApp } from '../support/test-app';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The built console under /ui/ (what `npm run build` put in dist/ui): same origin and port as
 * the API, no token needed for the files, hashed assets cached for good, the page revalidated.
 */
describe('web console files under /ui/', () => {
  let t: TestApp;
  let script: string;

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-if-needed.js')], { cwd: ROOT, stdio: 'inherit' });
    script = readdirSync(path.join(ROOT, 'dist', 'ui', 'assets')).find((f) => /^index-[\w-]+\.js$/.test(f))!;
    t = await createTestApp();
  }, 300_000);
  afterAll(() => t?.close());

  it('redirects /ui to /ui/ with a relative Location, so a path prefix in front is kept', async () => {
    const res = await t.http().get('/ui');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('ui/');
  });

  it('serves the page with no-cache, a strict content security policy, and relative asset URLs', async () => {
    const res = await t.http().get('/ui/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.text).toContain(`src="./assets/${script}"`);
    // No third-party origin anywhere: the console works with no network beyond the service.
    expect(res.text).not.toMatch(/https?:\/\//);
    const again = await t.http().get('/ui/index.html').set('If-None-Match', res.headers.etag);
    expect(again.status).toBe(304);
  });

  it('serves hashed assets as immutable, gzipped when the client accepts it', async () => {
    const plain = await t.http().get(`/ui/assets/${script}`).set('Accept-Encoding', 'identity');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    // Raw bytes: supertest and fetch would decompress on their own.
    const zipped = await rawGet(`${await t.url()}/ui/assets/${script}`, { 'Accept-Encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(zipped.body.length).toBeLessThan(Buffer.byteLength(plain.text));
    expect(gunzipSync(zipped.body).toString()).toBe(plain.text);
  });

  it('counts nothing but the console: API paths keep their own answers, unknown files are 404', async () => {
    expect((await t.http().get('/ui/assets/nope-123.js')).status).toBe(404);
    expect((await t.as('admin').get('/v1/timeline')).status).toBe(200);
  });

  it('answers the sign-in route in noauth mode with a clear 400, and takes no password there', async () => {
    const res = await t.http().post('/ui/session').send({ username: 'u', password: 'p', project: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      faultcode: 'Client',
      faultstring: 'This service runs without Keystone ([pecan] auth_enable = false): there is no sign-in.',
      debuginfo: null,
    });
  });
});

function rawGet(url: string, headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { addDays, fromDate, UtcTime } from '../../src/common/time';
import { OfferEntity } from '../../src/leasing/data/offer.entity';
import { insertRows } from '../helpers/insert-rows';
import { testDatabaseKinds } from '../helpers/test-databases';
import { headersFor, P } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * With `[api] response_gzip_level` set, a list asked with `Accept-Encoding: gzip` decodes to
 * exactly the body sent without it; short replies and clients that do not ask get the
 * identity bytes.
 */
describe.each(testDatabaseKinds())('gzip-compressed replies on %s', (kind) => {
  let t: TestApp;
  let base: string;
  const now = fromDate(new Date());

  beforeAll(async () => {
    t = await createTestApp({ kind, conf: '[api]\nresponse_gzip_level = 1\nresponse_gzip_min_size = 4096' });
    for (let n = 0; n < 10; n++) t.nodes.add(`z-node-${n}`, { owner: P.owner, properties: { cpus: 16 * n } });
    await insertRows(
      t.dataSource,
      OfferEntity,
      Array.from({ length: 250 }, (_, i) => ({
        uuid: randomUUID(),
        name: `z-offer-${i}`,
        projectId: P.owner,
        lesseeId: null,
        resourceType: 'test_node',
        resourceUuid: `z-node-${i % 10}`,
        // From tomorrow: availabilities that do not move with the time of each request.
        startTime: addDays(now, 1) as UtcTime,
        endTime: addDays(now, 30) as UtcTime,
        status: 'available',
        properties: { i },
        parentLeaseUuid: null,
        createdAt: now,
      })),
    );
    base = await t.url();
  });
  afterAll(() => t.close());

  function raw(path: string, extra: Record<string, string> = {}) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: Buffer }>((resolve, reject) => {
      http
        .get(`${base}${path}`, { headers: { ...headersFor('admin'), ...extra } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, bytes: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });
  }

  it.each(['/v1/offers', '/v1/offers?limit=120', '/v1/nodes', '/v1/offers?constraint=cpus%3E%3D64'])(
    'GET %s with Accept-Encoding: gzip decodes to exactly the identity body',
    async (path) => {
      const plain = await raw(path);
      const zipped = await raw(path, { 'Accept-Encoding': 'gzip' });
      expect([plain.status, zipped.status]).toEqual([200, 200]);
      expect(plain.headers['content-encoding']).toBeUndefined();
      const identity = plain.bytes.toString('utf8');
      if (plain.bytes.length < 4096) {
        // Below the threshold: compression does not apply, the reply is as it always was.
        expect(zipped.bytes.toString('utf8')).toBe(identity);
        expect(zipped.headers['content-encoding']).toBeUndefined();
        expect(zipped.headers.vary).toBeUndefined();
        return;
      }
      expect(plain.headers.vary).toBe('Accept-Encoding');
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers.vary).toBe('Accept-Encoding');
      expect(gunzipSync(zipped.bytes).toString('utf8')).toBe(identity);
      expect(zipped.bytes.length * 2).toBeLessThan(plain.bytes.length);
    },
  );

  it('answers a show, short, uncompressed and without Vary', async () => {
    const list = JSON.parse((await raw('/v1/offers?limit=1')).bytes.toString('utf8'));
    const show = await raw(`/v1/offers/${list.offers[0].uuid}`, { 'Accept-Encoding': 'gzip' });
    expect(show.status).toBe(200);
    expect(show.headers['content-encoding']).toBeUndefined();
    expect(show.headers.vary).toBeUndefined();
    expect(JSON.parse(show.bytes.toString('utf8'))).toEqual(list.offers[0]);
    expect(show.headers['content-length']).toBe(String(show.bytes.length));
  });
});

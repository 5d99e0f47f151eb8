import { INestApplication } from '@nestjs/common';
import { createServer, RequestListener, Server } from 'node:http';
import { isOpsPath } from '../ops/ops-paths';

const NOT_HERE = '404 Not Found\n\nThe status port serves /healthcheck and /metrics only.\n';

/**
 * The status port of a process that also runs the API: plain HTTP for probes and scrapers, next
 * to the API's own port (which may be HTTPS). It answers the operations paths through the same
 * Express application and nothing else, so the API is never reachable around its TLS, and
 * `/metrics` is served here only (see MetricsController).
 */
export async function listenForStatus(app: INestApplication, host: string, port: number): Promise<Server> {
  const express = app.getHttpAdapter().getInstance() as RequestListener;
  const server = createServer((req, res) => {
    if (isOpsPath(new URL(req.url ?? '/', 'http://status').pathname)) {
      express(req, res);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' }).end(NOT_HERE);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

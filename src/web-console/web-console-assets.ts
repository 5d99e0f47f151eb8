import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { NextFunction, Request, RequestHandler, Response } from 'express';
import { ClientError } from '../common/errors/esi-leap.exceptions';
import { WEB_CONSOLE_PATH, WEB_CONSOLE_SESSION_PATH } from './web-console-paths';

/** One file of the built console, held in memory with its headers (the bundle is ~40 KB). */
interface Asset {
  readonly body: Buffer;
  readonly gzipped: Buffer | null;
  readonly type: string;
  readonly etag: string;
  readonly cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** File names under assets/ carry a hash of their content, so a browser may keep them for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed files: always revalidated (cheap with its ETag). */
const REVALIDATE = 'no-cache';
const GZIP_FROM_BYTES = 1024;

/**
 * The page's own origin only: no inline script, no third-party anything, not framed. The
 * console holds a Keystone token in session storage, so nothing else may run on its page.
 */
const PAGE_SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** `dist/ui` of the package this file belongs to, from the sources (tests) or from `dist/` alike. */
export function builtConsoleDir(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return path.join(from, 'ui');
    dir = parent;
  }
  return path.join(dir, 'dist', 'ui');
}

/** Reads every file of the built console once (relative path → asset); empty when it was not built. */
export function loadConsoleAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const file = path.join(at, name);
      if (statSync(file).isDirectory()) {
        walk(file);
        continue;
      }
      const relative = path.relative(dir, file).split(path.sep).join('/');
      const body = readFileSync(file);
      const type = TYPES[path.extname(name)] ?? 'application/octet-stream';
      const compressible = type.startsWith('text/') || type === 'image/svg+xml' || type === 'application/json';
      assets.set(relative, {
        body,
        gzipped: compressible && body.length >= GZIP_FROM_BYTES ? gzipSync(body, { level: 9 }) : null,
        type,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        cacheControl: relative.startsWith('assets/') ? IMMUTABLE : REVALIDATE,
      });
    }
  };
  walk(dir);
  return assets;
}

/**
 * Serves the console under `/ui/` from memory, ahead of authentication: the page and its
 * scripts are public, the API calls they make carry the token. `/ui` redirects to `/ui/` with a
 * relative Location, so the console also works under a reverse proxy's path prefix.
 * Anything else under `/ui` (the sign-in route, unknown names) goes on to the API.
 */
export function webConsoleAssets(dir = builtConsoleDir()): RequestHandler {
  const assets = loadConsoleAssets(dir);
  return (req: Request, res: Response, next: NextFunction): void => {
    const { path: url } = req;
    if (url !== WEB_CONSOLE_PATH && !url.startsWith(`${WEB_CONSOLE_PATH}/`)) return next();
    if (url === WEB_CONSOLE_SESSION_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    if (url === WEB_CONSOLE_PATH) {
      res.redirect(301, `${WEB_CONSOLE_PATH.slice(1)}/`);
      return;
    }
    const name = url.slice(WEB_CONSOLE_PATH.length + 1) || 'index.html';
    const asset = assets.get(name);
    if (!asset) {
      if (!assets.has('index.html')) {
        return next(new ClientError('The web console is not built here: `npm run build` builds it into dist/ui.', 404));
      }
      return next();
    }
    send(req, res, asset, name === 'index.html');
  };
}

function send(req: Request, res: Response, asset: Asset, page: boolean): void {
  res.setHeader('Cache-Control', asset.cacheControl);
  res.setHeader('ETag', asset.etag);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Vary', 'Accept-Encoding');
  if (page) for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) res.setHeader(name, value);
  if (req.headers['if-none-match'] === asset.etag) {
    res.status(304).end();
    return;
  }
  const gzip = asset.gzipped !== null && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? asset.gzipped! : asset.body;
  res.status(200);
  res.setHeader('Content-Type', asset.type);
  res.setHeader('Content-Length', body.length);
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.end(req.method === 'HEAD' ? undefined : body);
}

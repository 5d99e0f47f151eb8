import { NextFunction, Request, Response } from 'express';
import { ClientError } from '../errors/esi-leap.exceptions';
import { JsonDepthError, MAX_BODY_DEPTH, parseJson } from './lossless-json';

const JSON_TYPES = new Set(['application/json', 'text/javascript']);

/** Default request body limit; larger bodies are a 413 (no esi-leap body comes near it). */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Reads request bodies the way upstream's WSME/pecan stack does: JSON under
 * `application/json` or `text/javascript`, 415 for other media types, 400 for invalid JSON or
 * a body without a Content-Type. An empty body leaves `req.body` undefined so that each
 * endpoint can answer `Missing argument: "<argname>"`. Numbers are read as Python reads them
 * (see lossless-json.ts) and nesting is bounded, so no body can exhaust the stack later on.
 */
export function jsonBodyMiddleware(limitBytes = DEFAULT_BODY_LIMIT_BYTES) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    // No Content-Length and no Transfer-Encoding: HTTP/1.1 says there is no body (most GETs).
    // Waiting for the stream's end would only cost a tick and the listeners.
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
      req.body = undefined;
      next();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limitBytes) {
        failed = true;
        next(new ClientError(`Request body is larger than ${limitBytes} bytes.`, 413));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (err) => {
      if (!failed) next(err);
      failed = true;
    });
    req.on('end', () => {
      if (failed) return;
      try {
        req.body = decodeBody(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
        next();
      } catch (err) {
        next(err);
      }
    });
  };
}

function decodeBody(text: string, contentType: string | undefined): unknown {
  if (text.length === 0) return undefined;
  if (!contentType) throw new ClientError(`Unknown argument: "${text}"`);
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  if (mediaType === 'application/x-www-form-urlencoded') {
    // pecan turns form fields into keyword arguments, which no endpoint accepts.
    const names = [...new URLSearchParams(text).keys()];
    throw new ClientError(`Unknown argument: "${names.join(', ')}"`);
  }
  if (!JSON_TYPES.has(mediaType)) throw new ClientError(`Unknown mimetype: ${mediaType}`, 415);
  try {
    return parseJson(text, { maxDepth: MAX_BODY_DEPTH });
  } catch (err) {
    if (err instanceof JsonDepthError) {
      throw new ClientError(`Request body is nested deeper than ${err.maxDepth} levels.`);
    }
    throw new ClientError('Request is not in valid JSON format');
  }
}

import type { FastifyInstance } from 'fastify';
import { ShardtableError } from '../errors.js';

/** Content types whose body is read as JSON text. `curl -d @file.json` sends form-urlencoded. */
const JSON_TEXT_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded'];

/**
 * Parses JSON text. `__proto__` keys are dropped. An empty body is `undefined` (routes that need
 * one say so); malformed JSON is `INVALID_JSON` naming the parse problem.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text, (key, value: unknown) => (key === '__proto__' ? undefined : value)) as unknown;
  } catch (error) {
    throw new ShardtableError('INVALID_JSON', { detail: (error as Error).message });
  }
}

/**
 * The first part of a `multipart/form-data` body, as Pinot's own tools upload schemas
 * (`curl -F schemaName=@schema.json`). Returns undefined when there is no part.
 */
export function firstMultipartPart(body: Buffer, contentType: string): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new ShardtableError('BAD_REQUEST', { detail: 'multipart/form-data body without a boundary' });
  const delimiter = Buffer.from(`--${boundary.trim()}`);
  const start = body.indexOf(delimiter);
  if (start < 0) return undefined;
  const headersEnd = body.indexOf('\r\n\r\n', start);
  if (headersEnd < 0) return undefined;
  const end = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd);
  return body.subarray(headersEnd + 4, end < 0 ? body.length : end).toString('utf8');
}

/**
 * Replaces fastify's body parsers: JSON (also sent as text or form-urlencoded by curl) and a
 * single-file multipart upload. Any other content type is a 415.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TEXT_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      const part = firstMultipartPart(body as Buffer, String(request.headers['content-type']));
      done(null, part === undefined ? undefined : parseJsonBody(part));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** The request body, or `INVALID_JSON` when a route that needs one got none. */
export function requireBody(body: unknown): unknown {
  if (body === undefined) throw new ShardtableError('INVALID_JSON', { detail: 'the body is empty; send a JSON object' });
  return body;
}

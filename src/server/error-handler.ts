import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectSecrets, scrubSecrets } from '../config/redact.js';
import { ShardtableError } from '../errors.js';
import { MAX_PATH_PARAM_LENGTH } from './http-limits.js';
import { isStorageError, storageReason } from '../table/storage-error.js';

/** Pinot controller error body. */
export interface PinotErrorBody {
  readonly code: number;
  readonly error: string;
}

/**
 * Maps anything a route or fastify throws to a catalogue error: our own errors as they are,
 * fastify's body errors (413, 415, empty or bad JSON) and router errors (a path segment over
 * `MAX_PATH_PARAM_LENGTH` is 414, bad percent-encoding 400) to their entries, any other 4xx kept
 * with its status, and everything else to a 500 whose body carries no stack and no detail.
 */
export function toShardtableError(error: unknown, context: { bodyLimit: number; requestId: string; contentType?: string; path?: string }): ShardtableError {
  if (error instanceof ShardtableError) return error;
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ShardtableError('BODY_TOO_LARGE', { limit: context.bodyLimit });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ShardtableError('UNSUPPORTED_MEDIA_TYPE', { contentType: context.contentType?.split(';')[0]?.trim().slice(0, 100) || 'unknown' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ShardtableError('INVALID_JSON', { detail: 'the body is empty; send a JSON object' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ShardtableError('INVALID_JSON', { detail: fastifyError.message });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ShardtableError('URI_TOO_LONG', { limit: MAX_PATH_PARAM_LENGTH, path: shorten(context.path ?? '') });
    case 'FST_ERR_BAD_URL':
      return new ShardtableError('BAD_REQUEST', { detail: `${JSON.stringify(shorten(context.path ?? ''))} is not a valid URL (bad percent-encoding)` });
    default:
      break;
  }
  // A file-system error that no caller named (e.g. removing a table's data directory): still say
  // what the disk said rather than "internal error".
  if (isStorageError(error)) {
    return new ShardtableError('STORAGE_FAILED', { action: error.syscall, what: error.path ?? 'a file', reason: storageReason(error) });
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const mapped = new ShardtableError('BAD_REQUEST', { detail: fastifyError.message ?? 'invalid request' });
    return Object.assign(mapped, { status });
  }
  return new ShardtableError('INTERNAL', { detail: `unexpected error; see the server log for request ${context.requestId}` });
}

/** A URL or name cut to a length fit for a message. */
function shorten(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

export interface ErrorReplyOptions {
  readonly bodyLimit: number;
  /** Values that must never reach a response or a log line (every table's credentials). */
  readonly secrets: () => string[];
}

/**
 * Answers a request with the catalogue error for `error` in Pinot's shape, logging a 5xx with
 * its stack (scrubbed) and a 4xx at info. Used by the error handler and for fastify's framework
 * errors (bad URL, path parameter too long), which bypass it.
 */
export function replyWithError(error: unknown, request: FastifyRequest, reply: FastifyReply, options: ErrorReplyOptions): FastifyReply {
  const contentType = request.headers['content-type'];
  const mapped = toShardtableError(error, {
    bodyLimit: options.bodyLimit,
    requestId: String(request.id),
    path: (request.raw.url ?? '').split('?')[0] ?? '',
    ...(contentType ? { contentType } : {}),
  });
  // The stored tables' secrets, and those of this request's own config (a rejected one is stored nowhere).
  const secrets = [...options.secrets(), ...collectSecrets(request.body)];
  const message = scrubSecrets(mapped.message, secrets);
  if (mapped.status >= 500) {
    const raw = error instanceof Error ? error : new Error(String(error));
    request.log.error({ code: mapped.code, error: scrubSecrets(`${raw.name}: ${raw.message}`, secrets), stack: scrubSecrets(raw.stack ?? '', secrets) }, 'request failed');
  } else {
    request.log.info({ code: mapped.code, status: mapped.status, error: message }, 'request rejected');
  }
  const body: PinotErrorBody = { code: mapped.status, error: message };
  return reply.status(mapped.status).type('application/json; charset=utf-8').send(body);
}

/**
 * Installs the one error handler and the 404 handler. `secrets` returns values that must never
 * reach a response or a log line (every table's credentials); they are scrubbed from messages.
 */
export function registerErrorHandlers(app: FastifyInstance, options: ErrorReplyOptions): void {
  app.setErrorHandler((error, request, reply) => replyWithError(error, request, reply, options));
  app.setNotFoundHandler((request, reply) => {
    const error = new ShardtableError('NOT_FOUND', { method: request.method, url: shorten(request.url.split('?')[0] ?? '') });
    const body: PinotErrorBody = { code: error.status, error: error.message };
    return reply.status(error.status).type('application/json; charset=utf-8').send(body);
  });
}

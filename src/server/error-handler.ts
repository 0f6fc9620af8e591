import type { FastifyError, FastifyInstance } from 'fastify';
import { scrubSecrets } from '../config/redact.js';
import { ShardtableError } from '../errors.js';
import { isStorageError, storageReason } from '../table/storage-error.js';

/** Pinot controller error body. */
export interface PinotErrorBody {
  readonly code: number;
  readonly error: string;
}

/**
 * Maps anything a route or fastify throws to a catalogue error: our own errors as they are,
 * fastify's body errors (413, 415, empty or bad JSON) to their entries, any other 4xx kept with
 * its status, and everything else to a 500 whose body carries no stack and no detail.
 */
export function toShardtableError(error: unknown, context: { bodyLimit: number; requestId: string; contentType?: string }): ShardtableError {
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

/**
 * Installs the one error handler and the 404 handler. `secrets` returns values that must never
 * reach a response or a log line (every table's credentials); they are scrubbed from messages.
 */
export function registerErrorHandlers(app: FastifyInstance, options: { bodyLimit: number; secrets: () => string[] }): void {
  app.setErrorHandler((error, request, reply) => {
    const contentType = request.headers['content-type'];
    const mapped = toShardtableError(error, { bodyLimit: options.bodyLimit, requestId: String(request.id), ...(contentType ? { contentType } : {}) });
    const secrets = options.secrets();
    const message = scrubSecrets(mapped.message, secrets);
    if (mapped.status >= 500) {
      const raw = error instanceof Error ? error : new Error(String(error));
      request.log.error({ code: mapped.code, error: scrubSecrets(`${raw.name}: ${raw.message}`, secrets), stack: scrubSecrets(raw.stack ?? '', secrets) }, 'request failed');
    } else {
      request.log.info({ code: mapped.code, status: mapped.status, error: message }, 'request rejected');
    }
    const body: PinotErrorBody = { code: mapped.status, error: message };
    return reply.status(mapped.status).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new ShardtableError('NOT_FOUND', { method: request.method, url: request.url.split('?')[0] });
    const body: PinotErrorBody = { code: error.status, error: error.message };
    return reply.status(error.status).type('application/json; charset=utf-8').send(body);
  });
}

import { STATUS_CODES } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { ShardtableError } from '../errors.js';
import type { PinotErrorBody } from './error-handler.js';
import { MAX_HEADER_BYTES } from './http-limits.js';
import type { HttpLimits } from './http-limits.js';

/**
 * The catalogue error for a failure Node's HTTP parser or its request timer reports before
 * fastify sees a request (the `clientError` event): a request too slow to arrive (408), headers
 * over the limit (431), anything else malformed (400).
 */
export function clientErrorFor(error: NodeJS.ErrnoException, limits: HttpLimits): ShardtableError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ShardtableError('REQUEST_TIMEOUT', { headersTimeoutMs: limits.headersTimeoutMs, requestTimeoutMs: limits.requestTimeoutMs });
    case 'HPE_HEADER_OVERFLOW':
      return new ShardtableError('HEADERS_TOO_LARGE', { limit: MAX_HEADER_BYTES });
    default:
      return new ShardtableError('BAD_REQUEST', { detail: `malformed HTTP request (${error.code ?? 'parse error'})` });
  }
}

/** A complete raw HTTP/1.1 answer in Pinot's shape that closes the connection. */
export function rawErrorResponse(error: ShardtableError): string {
  const body: PinotErrorBody = { code: error.status, error: error.message };
  const text = JSON.stringify(body);
  return [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(text)}`,
    'Connection: close',
    '',
    text,
  ].join('\r\n');
}

/** How long a socket that was answered and ended may take to drain before it is destroyed. */
const DRAIN_MS = 2_000;

/**
 * fastify's `clientErrorHandler`: answers in Pinot's shape where the socket can still take an
 * answer (writable, and no response of the request under way has started), then closes it.
 * A reset by the client needs nothing.
 */
export function pinotClientErrorHandler(limits: HttpLimits, log: () => FastifyBaseLogger): (error: NodeJS.ErrnoException, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const mapped = clientErrorFor(error, limits);
    log().info({ code: mapped.code, status: mapped.status, error: mapped.message, remoteAddress: socket.remoteAddress }, 'connection rejected');
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(rawErrorResponse(mapped), () => socket.destroy());
    // A client that never reads would keep the socket; don't wait for it.
    setTimeout(() => socket.destroy(), DRAIN_MS).unref();
  };
}

/** Logs connections refused at the cap: at most one line per interval, with how many. */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Caps open connections (`server.maxConnections`): Node closes each one beyond the cap at once,
 * before reading it, so a flood of slow clients cannot exhaust file descriptors; slots free as
 * the request and idle timeouts cut the slow ones. Refusals are logged, throttled.
 */
export function capConnections(server: Server, limits: HttpLimits, log: () => FastifyBaseLogger): void {
  if (limits.maxConnections <= 0) return;
  server.maxConnections = limits.maxConnections;
  let dropped = 0;
  let lastLog = 0;
  server.on('drop', () => {
    dropped += 1;
    const now = Date.now();
    if (now - lastLog >= DROP_LOG_INTERVAL_MS) {
      log().warn({ maxConnections: limits.maxConnections, refused: dropped }, 'connection limit reached: new connections are closed until one ends');
      lastLog = now;
      dropped = 0;
    }
  });
}

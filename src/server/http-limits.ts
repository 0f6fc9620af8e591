import { maxHeaderSize } from 'node:http';

/**
 * How much a client may hold of the server: how long a request may take to arrive, how long an
 * idle connection stays open, how many connections there may be at once, and how large the body
 * may be. Slow or stuck clients are cut by these, so they cannot pile up (a slow-body attack holds
 * a connection, a file descriptor and a parser each). Every field has a default; `serve` takes
 * each as a flag (docs/operations.md, "HTTP limits").
 *
 * @example
 *   buildApp({ manager, limits: { requestTimeoutMs: 5_000, maxConnections: 64 } });
 */
export interface HttpLimits {
  /** Largest accepted request body in bytes (413 above it). */
  readonly bodyLimit: number;
  /** The whole request (headers and body) must arrive within this many ms, else 408 and close. */
  readonly requestTimeoutMs: number;
  /** The request line and headers must arrive within this many ms, else 408 and close. */
  readonly headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this many ms. */
  readonly keepAliveTimeoutMs: number;
  /** A connection with no bytes in either direction for this many ms is closed (no answer). */
  readonly idleTimeoutMs: number;
  /** Open connections at most; more are closed at once, unanswered, until one ends. */
  readonly maxConnections: number;
}

/** Default request body limit: 10 MiB (a table config is a few KB). */
export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

export const DEFAULT_HTTP_LIMITS: HttpLimits = Object.freeze({
  bodyLimit: DEFAULT_BODY_LIMIT,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  // Longer than any query may run by default (timeoutMs 10 s), so idle never cuts an answer.
  idleTimeoutMs: 120_000,
  maxConnections: 256,
});

/**
 * The longest path parameter the router takes (fastify's `maxParamLength`, default 100). Names
 * may be 200 characters (`CATALOG_NAME_MAX_LENGTH`), plus `_REALTIME`, and a segment name adds
 * about 50 more, percent-encoded up to three times as long: every name the server accepts fits.
 * Longer segments are a 414 (`URI_TOO_LONG`).
 */
export const MAX_PATH_PARAM_LENGTH = 1024;

/** The request line and headers at most (Node's `--max-http-header-size`); 431 above it. */
export const MAX_HEADER_BYTES = maxHeaderSize;

/** Defaults filled in; the headers timeout never exceeds the request timeout (Node requires it). */
export function resolveHttpLimits(limits: Partial<HttpLimits> = {}): HttpLimits {
  const merged = { ...DEFAULT_HTTP_LIMITS, ...definedOnly(limits) };
  for (const [key, value] of Object.entries(merged)) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`HTTP limit ${key} must be a whole number >= 0, got ${String(value)}`);
  }
  if (merged.requestTimeoutMs > 0 && (merged.headersTimeoutMs === 0 || merged.headersTimeoutMs > merged.requestTimeoutMs)) {
    merged.headersTimeoutMs = merged.requestTimeoutMs;
  }
  return Object.freeze(merged);
}

/**
 * The fastify options that carry the limits. Node checks request and headers deadlines on a
 * timer (`connectionsCheckingInterval`, 30 s by default, which would let a stuck request live up
 * to 30 s past its deadline): it runs at a quarter of the shortest deadline here.
 */
export function fastifyLimitOptions(limits: HttpLimits): {
  bodyLimit: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
  routerOptions: { maxParamLength: number };
} {
  const deadlines = [limits.headersTimeoutMs, limits.requestTimeoutMs].filter((ms) => ms > 0);
  const checkEvery = deadlines.length === 0 ? 30_000 : Math.min(5_000, Math.max(100, Math.floor(Math.min(...deadlines) / 4)));
  return {
    bodyLimit: limits.bodyLimit,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: checkEvery },
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
  };
}

function definedOnly(limits: Partial<HttpLimits>): Partial<HttpLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined)) as Partial<HttpLimits>;
}

/** The HTTP API: fastify app, body parsing, error handling and the route plugins. */
export { buildApp, DEFAULT_BODY_LIMIT } from './app.js';
export type { BuildAppOptions } from './app.js';
export { DEFAULT_HTTP_LIMITS, MAX_PATH_PARAM_LENGTH, resolveHttpLimits } from './http-limits.js';
export type { HttpLimits } from './http-limits.js';
export { toShardtableError, registerErrorHandlers } from './error-handler.js';
export type { PinotErrorBody } from './error-handler.js';
export { consumingSegmentsInfo } from './consuming-segments-info.js';
export type { ConsumingSegmentsInfoResponse, PinotConsumingSegmentInfo } from './consuming-segments-info.js';

import { PermanentStreamError, TransientStreamError } from '../../../spi/partition-consumer.js';
import type { StreamErrorClass } from '../../../spi/stream-plugin.js';

/** Errors that waiting will not cure: the partition stops with a clear message. */
const PERMANENT = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'InvalidArgumentException',
  'ValidationException',
  'UnrecognizedClientException',
  'IncompleteSignature',
  'InvalidSignatureException',
  'MissingAuthenticationToken',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'CredentialsProviderError',
]);

/**
 * The stream's own rate limits: retried with backoff like any transient error, and counted apart
 * (`throttleCount` in status). `KMSThrottlingException` is the only transient KMS error.
 */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'KMSThrottlingException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : 'Error';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Classifies an SDK error from a call on `stream` (and `shardId`, when reading a shard).
 * Permanent: the names above (the stream or shard is gone, access denied, bad request, KMS, no
 * credentials or region; KMS errors other than `KMSThrottlingException`). Transient: everything
 * else — throttling (`ProvisionedThroughputExceededException`, `LimitExceededException`,
 * `KMSThrottlingException`, marked `throttled`), 5xx, connection resets and timeouts — which the
 * ingestion loop retries with exponential backoff and jitter.
 */
export function toStreamError(err: unknown, what: string, stream: string, shardId?: string): TransientStreamError | PermanentStreamError {
  if (err instanceof TransientStreamError || err instanceof PermanentStreamError) return err;
  const name = errorName(err);
  const where = shardId === undefined ? `Kinesis stream ${stream}` : `shard ${shardId} of Kinesis stream ${stream}`;
  if (name === 'ResourceNotFoundException') {
    return new PermanentStreamError(`${what} failed: ${where} does not exist (it was deleted, or the name, region or endpoint is wrong): ${errorMessage(err)}`, { cause: err });
  }
  if (isPermanent(err)) {
    return new PermanentStreamError(`${what} failed on ${where}: ${name}: ${errorMessage(err)}`, { cause: err });
  }
  return new TransientStreamError(`${what} failed on ${where}: ${name}: ${errorMessage(err)}`, { cause: err, throttled: isThrottling(err) });
}

/** True for errors that waiting will not cure (the names above, KMS errors but throttling, no region or credentials). */
function isPermanent(err: unknown): boolean {
  const name = errorName(err);
  return PERMANENT.has(name) || (name.startsWith('KMS') && !THROTTLING.has(name)) || /Region is missing|Could not load credentials/.test(errorMessage(err));
}

/** True for the stream's rate-limit errors (by name, or an HTTP 429 answer). */
export function isThrottling(err: unknown): boolean {
  if (THROTTLING.has(errorName(err))) return true;
  const status = typeof err === 'object' && err !== null ? (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode : undefined;
  return status === 429;
}

export function isNamed(err: unknown, name: string): boolean {
  return errorName(err) === name;
}

/** Errors of the network to the endpoint: the stream may answer again later. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);

/**
 * The plugin's classifier (`StreamPlugin.classifyError`): whether an error, or one in its cause
 * chain, came from Kinesis or the network to it, and whether waiting may cure it. `null` for any
 * other error (a bug, a disk error), which is not retried as a stream problem.
 */
export function classifyKinesisError(error: unknown): StreamErrorClass | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof TransientStreamError) return 'transient';
    if (e instanceof PermanentStreamError) return 'permanent';
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && NETWORK_CODES.has(code)) return 'transient';
    if ('$metadata' in e || PERMANENT.has(e.name) || THROTTLING.has(e.name) || e.name === 'ExpiredTokenException') {
      return isPermanent(e) ? 'permanent' : 'transient';
    }
  }
  return null;
}

import { PermanentStreamError, TransientStreamError } from '../../../spi/partition-consumer.js';
import type { StreamErrorClass } from '../../../spi/stream-plugin.js';

/** Errors waiting will not cure: the partition stops, visibly, with the message. */
const PERMANENT = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'ValidationException',
  'UnrecognizedClientException',
  'IncompleteSignature',
  'InvalidSignatureException',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
  'TrimmedDataAccessException',
]);

/** DynamoDB's and DynamoDB Streams' rate-limit errors. */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'LimitExceededException',
  'TooManyRequestsException',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'EPIPE']);

export function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : 'Error';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isThrottling(err: unknown): boolean {
  if (THROTTLING.has(errorName(err))) return true;
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode === 429;
}

function isPermanent(err: unknown): boolean {
  return PERMANENT.has(errorName(err)) || /Region is missing|Could not load credentials/.test(errorMessage(err));
}

/**
 * An SDK error of a DynamoDB or DynamoDB Streams call as the consume loop's error: permanent
 * (missing table or stream, access denied, trimmed data) or transient (throttling, network, 5xx).
 * `where` names the table, stream or shard.
 */
export function toStreamError(err: unknown, what: string, where: string): TransientStreamError | PermanentStreamError {
  if (err instanceof TransientStreamError || err instanceof PermanentStreamError) return err;
  const name = errorName(err);
  if (name === 'ResourceNotFoundException') {
    return new PermanentStreamError(`${what} failed: ${where} does not exist (deleted, or the name, region or endpoint is wrong): ${errorMessage(err)}`, { cause: err });
  }
  if (isPermanent(err)) return new PermanentStreamError(`${what} failed on ${where}: ${name}: ${errorMessage(err)}`, { cause: err });
  return new TransientStreamError(`${what} failed on ${where}: ${name}: ${errorMessage(err)}`, { cause: err, throttled: isThrottling(err) });
}

/** `StreamPlugin.classifyError` for DynamoDB: walks the cause chain; null for errors not of the source. */
export function classifyDynamoDbError(error: unknown): StreamErrorClass | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof TransientStreamError) return 'transient';
    if (e instanceof PermanentStreamError) return 'permanent';
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && NETWORK_CODES.has(code)) return 'transient';
    if ('$metadata' in e || PERMANENT.has(e.name) || THROTTLING.has(e.name)) return isPermanent(e) ? 'permanent' : 'transient';
  }
  return null;
}

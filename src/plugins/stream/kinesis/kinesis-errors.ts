import { PermanentStreamError, TransientStreamError } from '../../../spi/partition-consumer.js';

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

function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : 'Error';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Classifies an SDK error from a call on `stream` (and `shardId`, when reading a shard).
 * Permanent: the names above (the stream or shard is gone, access denied, bad request, KMS, no
 * credentials or region). Transient: everything else — throttling
 * (`ProvisionedThroughputExceededException`, `LimitExceededException`), 5xx, network errors and
 * timeouts — which the ingestion loop retries with backoff.
 */
export function toStreamError(err: unknown, what: string, stream: string, shardId?: string): TransientStreamError | PermanentStreamError {
  if (err instanceof TransientStreamError || err instanceof PermanentStreamError) return err;
  const name = errorName(err);
  const where = shardId === undefined ? `Kinesis stream ${stream}` : `shard ${shardId} of Kinesis stream ${stream}`;
  if (name === 'ResourceNotFoundException') {
    return new PermanentStreamError(`${what} failed: ${where} does not exist (it was deleted, or the name, region or endpoint is wrong): ${errorMessage(err)}`, { cause: err });
  }
  if (PERMANENT.has(name) || /Region is missing|Could not load credentials/.test(errorMessage(err))) {
    return new PermanentStreamError(`${what} failed on ${where}: ${name}: ${errorMessage(err)}`, { cause: err });
  }
  return new TransientStreamError(`${what} failed on ${where}: ${name}: ${errorMessage(err)}`, { cause: err });
}

export function isNamed(err: unknown, name: string): boolean {
  return errorName(err) === name;
}

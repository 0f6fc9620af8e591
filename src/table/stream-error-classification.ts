import { PermanentStreamError, TransientStreamError } from '../spi/partition-consumer.js';

/**
 * Tells whether a table's start failed because of its stream (or the network to it) rather than
 * because of the server. The manager uses the answer twice: such a failure is reported as
 * `STREAM_UNREACHABLE` naming the stream, and a table that hit one at boot is retried with
 * backoff. Kept on its own so a stream plugin's classifier can replace it.
 */

/** Error names (ours and the AWS SDK's) that mean the stream could not be read. */
const STREAM_ERROR_NAMES: ReadonlySet<string> = new Set([
  'TransientStreamError',
  'PermanentStreamError',
  'ResourceNotFoundException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'CredentialsProviderError',
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
]);

/** Node error codes of a network that does not reach the stream. */
const NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);

/** How far down an error's `cause` chain to look. */
const MAX_CAUSE_DEPTH = 5;

/**
 * True when an error (or one in its cause chain) comes from the stream or the network to it.
 *
 * @example
 *   isStreamError(new TransientStreamError('connect ECONNREFUSED 127.0.0.1:4567')); // true
 *   isStreamError(new Error('disk on fire'));                                       // false
 */
export function isStreamError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < MAX_CAUSE_DEPTH; e = e.cause, depth++) {
    if (e instanceof TransientStreamError || e instanceof PermanentStreamError) return true;
    if (STREAM_ERROR_NAMES.has(e.name) || '$metadata' in e) return true;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && NETWORK_CODES.has(code)) return true;
  }
  return false;
}

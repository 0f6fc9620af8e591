import { describe, expect, it } from 'vitest';
import { isThrottling, toStreamError } from '../../../../../src/plugins/stream/kinesis/kinesis-errors.js';
import { PermanentStreamError, TransientStreamError } from '../../../../../src/spi/partition-consumer.js';

function sdkError(name: string, status = 400, message = `${name} happened`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

const classify = (err: unknown) => toStreamError(err, 'GetRecords', 'events', 'shardId-000000000001');

describe('toStreamError', () => {
  it.each(['ProvisionedThroughputExceededException', 'LimitExceededException', 'KMSThrottlingException'])(
    '%s is transient and marked throttled',
    (name) => {
      const err = classify(sdkError(name));
      expect(err).toBeInstanceOf(TransientStreamError);
      expect((err as TransientStreamError).throttled).toBe(true);
      expect(err.message).toContain('shard shardId-000000000001 of Kinesis stream events');
    },
  );

  it('treats an HTTP 429 as throttling whatever its name', () => {
    expect(isThrottling(sdkError('SomethingNew', 429))).toBe(true);
    expect((classify(sdkError('SomethingNew', 429)) as TransientStreamError).throttled).toBe(true);
  });

  it.each([
    ['InternalFailure', 500],
    ['ServiceUnavailable', 503],
    ['ExpiredIteratorException', 400],
    ['TimeoutError', 0],
  ])('%s (%i) is transient and not throttling', (name, status) => {
    const err = classify(sdkError(name, status));
    expect(err).toBeInstanceOf(TransientStreamError);
    expect((err as TransientStreamError).throttled).toBe(false);
  });

  it('treats connection resets and socket hang-ups as transient', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classify(reset)).toBeInstanceOf(TransientStreamError);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4567'), { code: 'ECONNREFUSED' });
    expect(classify(refused)).toBeInstanceOf(TransientStreamError);
  });

  it('stops on ResourceNotFoundException with a message naming the stream and shard', () => {
    const err = classify(sdkError('ResourceNotFoundException', 400, 'Stream events under account 000000000000 not found.'));
    expect(err).toBeInstanceOf(PermanentStreamError);
    expect(err.message).toMatch(/shard shardId-000000000001 of Kinesis stream events does not exist/);
  });

  it.each([
    'AccessDeniedException',
    'KMSAccessDeniedException',
    'KMSDisabledException',
    'KMSInvalidStateException',
    'KMSNotFoundException',
    'KMSOptInRequired',
    'KMSSomeFutureException',
    'InvalidArgumentException',
  ])('%s is permanent', (name) => {
    expect(classify(sdkError(name))).toBeInstanceOf(PermanentStreamError);
  });

  it('passes stream errors through unchanged', () => {
    const transient = new TransientStreamError('x', { throttled: true });
    expect(classify(transient)).toBe(transient);
  });
});

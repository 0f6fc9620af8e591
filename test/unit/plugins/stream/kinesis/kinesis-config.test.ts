import { describe, expect, it } from 'vitest';
import type { StreamConfig } from '../../../../../src/config/table-config.js';
import { ShardtableError } from '../../../../../src/errors.js';
import { initialPositionFor, parseKinesisConfig } from '../../../../../src/plugins/stream/kinesis/kinesis-config.js';

function stream(properties: Record<string, string>): StreamConfig {
  return {
    streamType: 'kinesis',
    topicName: properties['stream.kinesis.topic.name'] ?? '',
    properties: { streamType: 'kinesis', ...properties },
    flush: { rows: 1000, timeMs: 60_000, segmentSizeBytes: 0 },
    decoderName: 'json',
  };
}

function problem(properties: Record<string, string>, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseKinesisConfig(stream(properties), env);
  } catch (err) {
    expect(err).toBeInstanceOf(ShardtableError);
    expect((err as ShardtableError).errorName).toBe('STREAM_CONFIG');
    return (err as Error).message;
  }
  throw new Error('expected a STREAM_CONFIG error');
}

const BASE = { 'stream.kinesis.topic.name': 'events' };

describe('parseKinesisConfig', () => {
  it('fills defaults and freezes the result', () => {
    const config = parseKinesisConfig(stream(BASE), {});
    expect(config).toEqual({
      streamName: 'events',
      region: undefined,
      endpoint: undefined,
      credentials: undefined,
      assumeRole: undefined,
      shardIteratorType: 'LATEST',
      initialIteratorType: 'LATEST',
      initialTimestampMs: undefined,
      startingSequenceNumbers: {},
      initialPositionDescription: 'LATEST',
      maxRecordsToFetch: 10_000,
      fetchTimeoutMs: 5_000,
      metadataTimeoutMs: 5_000,
      requestsPerSecondLimit: 1,
      discoveryIntervalMs: 60_000,
      maxFetchRateMBps: 2,
      minFetchPeriodMs: 200,
      maxConcurrentFetches: 16,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every key', () => {
    const config = parseKinesisConfig(stream({
      ...BASE,
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4567',
      accessKey: 'AKIA',
      secretKey: 'secret',
      shardIteratorType: 'trim_horizon',
      maxRecordsToFetch: '250',
      'stream.kinesis.fetch.timeout.millis': '750',
      'stream.kinesis.metadata.timeout.millis': '2500',
      requests_per_second_limit: '4',
      'stream.kinesis.shard.discovery.interval.ms': '1500',
    }), {});
    expect(config).toMatchObject({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4567',
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
      shardIteratorType: 'TRIM_HORIZON',
      initialIteratorType: 'TRIM_HORIZON',
      maxRecordsToFetch: 250,
      fetchTimeoutMs: 750,
      metadataTimeoutMs: 2500,
      requestsPerSecondLimit: 4,
      discoveryIntervalMs: 1500,
    });
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_KINESIS, then AWS_ENDPOINT_URL, when the key is absent', () => {
    expect(parseKinesisConfig(stream(BASE), { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_KINESIS: 'http://k:2' }).endpoint).toBe('http://k:2');
    expect(parseKinesisConfig(stream(BASE), { AWS_ENDPOINT_URL: 'http://a:1' }).endpoint).toBe('http://a:1');
    expect(parseKinesisConfig(stream({ ...BASE, endpoint: 'http://e:3' }), { AWS_ENDPOINT_URL: 'http://a:1' }).endpoint).toBe('http://e:3');
  });

  it('starts AT/AFTER_SEQUENCE_NUMBER without a sequence number from the oldest record, and says so', () => {
    for (const type of ['AFTER_SEQUENCE_NUMBER', 'AT_SEQUENCE_NUMBER']) {
      const config = parseKinesisConfig(stream({ ...BASE, shardIteratorType: type }), {});
      expect(config.shardIteratorType).toBe(type);
      expect(config.initialIteratorType).toBe('TRIM_HORIZON');
      expect(config.initialPositionDescription).toContain('TRIM_HORIZON');
      expect(config.initialPositionDescription).toContain(type);
    }
  });

  it('needs a timestamp for AT_TIMESTAMP (ISO-8601 or epoch millis; shardIteratorTimestamp is an alias)', () => {
    expect(problem({ ...BASE, shardIteratorType: 'AT_TIMESTAMP' })).toContain('stream.kinesis.iterator.timestamp is required when shardIteratorType is AT_TIMESTAMP');
    const config = parseKinesisConfig(stream({ ...BASE, shardIteratorType: 'AT_TIMESTAMP', 'stream.kinesis.iterator.timestamp': '2024-01-02T03:04:05Z' }), {});
    expect(config.initialTimestampMs).toBe(Date.parse('2024-01-02T03:04:05Z'));
    expect(config.initialIteratorType).toBe('AT_TIMESTAMP');
    expect(config.initialPositionDescription).toBe('AT_TIMESTAMP 2024-01-02T03:04:05.000Z');
    expect(parseKinesisConfig(stream({ ...BASE, shardIteratorType: 'at_timestamp', 'stream.kinesis.iterator.timestamp': '1704164645000' }), {}).initialTimestampMs).toBe(1704164645000);
    expect(parseKinesisConfig(stream({ ...BASE, shardIteratorType: 'AT_TIMESTAMP', shardIteratorTimestamp: '2024-01-02T03:04:05.5+01:00' }), {}).initialTimestampMs).toBe(Date.parse('2024-01-02T02:04:05.500Z'));
    expect(problem({ ...BASE, shardIteratorType: 'AT_TIMESTAMP', 'stream.kinesis.iterator.timestamp': 'yesterday' })).toContain('stream.kinesis.iterator.timestamp must be epoch millis or an ISO-8601 time');
    expect(problem({ ...BASE, shardIteratorType: 'AT_TIMESTAMP', shardIteratorTimestamp: 'Tue Jan 2 2024' })).toContain('shardIteratorTimestamp must be epoch millis or an ISO-8601 time');
    expect(problem({ ...BASE, shardIteratorType: 'AT_TIMESTAMP', 'stream.kinesis.iterator.timestamp': '2024-13-45T99:00:00Z' })).toContain('stream.kinesis.iterator.timestamp must be');
    expect(problem({ ...BASE, shardIteratorType: 'LATEST', 'stream.kinesis.iterator.timestamp': '2024-01-02' })).toContain('stream.kinesis.iterator.timestamp is only used with shardIteratorType AT_TIMESTAMP');
  });

  it('reads per-shard starting sequence numbers for AT/AFTER_SEQUENCE_NUMBER', () => {
    const seqs = JSON.stringify({ 'shardId-000000000000': '49590338271490256608559692538361571095921575989136588898', 'shardId-000000000001': '0012' });
    const config = parseKinesisConfig(stream({ ...BASE, shardIteratorType: 'AT_SEQUENCE_NUMBER', 'stream.kinesis.iterator.sequenceNumbers': seqs }), {});
    expect(config.startingSequenceNumbers).toEqual({ 'shardId-000000000000': '49590338271490256608559692538361571095921575989136588898', 'shardId-000000000001': '12' });
    expect(config.initialIteratorType).toBe('TRIM_HORIZON');
    expect(initialPositionFor(config, 'shardId-000000000001')).toBe('AT_SEQUENCE_NUMBER 12 (stream.kinesis.iterator.sequenceNumbers)');
    expect(initialPositionFor(config, 'shardId-000000000002')).toBe('TRIM_HORIZON (shard not in stream.kinesis.iterator.sequenceNumbers; starts from the oldest record)');
  });

  it.each([
    [{ shardIteratorType: 'AFTER_SEQUENCE_NUMBER', 'stream.kinesis.iterator.sequenceNumbers': '{shardId-0: 12' }, 'stream.kinesis.iterator.sequenceNumbers must be a JSON object mapping shard ids to sequence numbers'],
    [{ shardIteratorType: 'AFTER_SEQUENCE_NUMBER', 'stream.kinesis.iterator.sequenceNumbers': '["12"]' }, 'stream.kinesis.iterator.sequenceNumbers must be a JSON object mapping shard ids to sequence numbers (got an array)'],
    [{ shardIteratorType: 'AT_SEQUENCE_NUMBER', 'stream.kinesis.iterator.sequenceNumbers': '{"shardId-000000000000":"12a"}' }, 'stream.kinesis.iterator.sequenceNumbers["shardId-000000000000"] must be a sequence number of 1-128 decimal digits'],
    [{ shardIteratorType: 'AT_SEQUENCE_NUMBER', 'stream.kinesis.iterator.sequenceNumbers': '{"shardId-000000000000":-5}' }, 'stream.kinesis.iterator.sequenceNumbers["shardId-000000000000"] must be a sequence number'],
    [{ shardIteratorType: 'TRIM_HORIZON', 'stream.kinesis.iterator.sequenceNumbers': '{"shardId-000000000000":"12"}' }, 'stream.kinesis.iterator.sequenceNumbers is only used with shardIteratorType AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER'],
  ])('rejects a bad starting position naming the key: %j', (properties, expected) => {
    expect(problem({ ...BASE, ...properties })).toContain(expected);
  });

  it('reads assume-role settings, with defaults, and the STS endpoint from the key or AWS_ENDPOINT_URL_STS', () => {
    const role = { ...BASE, iamRoleBasedAccessEnabled: 'true', roleArn: 'arn:aws:iam::123456789012:role/reader' };
    expect(parseKinesisConfig(stream(role), {}).assumeRole).toEqual({
      roleArn: 'arn:aws:iam::123456789012:role/reader', externalId: undefined, roleSessionName: undefined, sessionDurationSeconds: 900, stsEndpoint: undefined,
    });
    expect(parseKinesisConfig(stream({ ...role, externalId: 'ext-1', roleSessionName: 'me@x', sessionDurationSeconds: '43200', stsEndpoint: 'http://127.0.0.1:1' }), { AWS_ENDPOINT_URL_STS: 'http://e:2' }).assumeRole)
      .toEqual({ roleArn: role.roleArn, externalId: 'ext-1', roleSessionName: 'me@x', sessionDurationSeconds: 43200, stsEndpoint: 'http://127.0.0.1:1' });
    expect(parseKinesisConfig(stream(role), { AWS_ENDPOINT_URL_STS: 'http://e:2' }).assumeRole?.stsEndpoint).toBe('http://e:2');
  });

  it.each([
    [{ 'stream.kinesis.topic.name': '' }, 'stream.kinesis.topic.name is required'],
    [{ 'stream.kinesis.topic.name': 'bad name!' }, 'stream.kinesis.topic.name must be'],
    [{ ...BASE, region: 'Mars Base' }, 'region must look like'],
    [{ ...BASE, endpoint: 'localhost:4567' }, 'endpoint must be an http:// or https:// URL (got "localhost:4567")'],
    [{ ...BASE, accessKey: 'AKIA' }, 'secretKey is required when accessKey is set'],
    [{ ...BASE, secretKey: 's' }, 'accessKey is required when secretKey is set'],
    [{ ...BASE, shardIteratorType: 'OLDEST' }, 'shardIteratorType must be one of TRIM_HORIZON, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER (got "OLDEST")'],
    [{ ...BASE, maxRecordsToFetch: '0' }, 'maxRecordsToFetch must be an integer from 1 to 10000 (got "0")'],
    [{ ...BASE, maxRecordsToFetch: '10001' }, 'maxRecordsToFetch must be an integer from 1 to 10000 (got "10001")'],
    [{ ...BASE, maxRecordsToFetch: 'many' }, 'maxRecordsToFetch must be an integer'],
    [{ ...BASE, 'stream.kinesis.fetch.timeout.millis': '-5' }, 'stream.kinesis.fetch.timeout.millis must be an integer from 1'],
    [{ ...BASE, 'stream.kinesis.fetch.timeout.millis': '1.5' }, 'stream.kinesis.fetch.timeout.millis must be an integer'],
    [{ ...BASE, 'stream.kinesis.metadata.timeout.millis': '0' }, 'stream.kinesis.metadata.timeout.millis must be an integer from 100 to 120000 (got "0")'],
    [{ ...BASE, 'stream.kinesis.metadata.timeout.millis': '5s' }, 'stream.kinesis.metadata.timeout.millis must be an integer from 100 to 120000'],
    [{ ...BASE, requests_per_second_limit: '0' }, 'requests_per_second_limit must be a number greater than 0'],
    [{ ...BASE, requests_per_second_limit: 'fast' }, 'requests_per_second_limit must be a number'],
    [{ ...BASE, 'stream.kinesis.shard.discovery.interval.ms': '5' }, 'stream.kinesis.shard.discovery.interval.ms must be an integer from 100'],
    [{ ...BASE, iamRoleBasedAccessEnabled: 'true' }, 'roleArn is required when iamRoleBasedAccessEnabled is true'],
    [{ ...BASE, iamRoleBasedAccessEnabled: 'true', roleArn: 'reader' }, 'roleArn must be an IAM role ARN'],
    [{ ...BASE, iamRoleBasedAccessEnabled: 'true', roleArn: 'arn:aws:iam::123456789012:role/r', sessionDurationSeconds: '899' }, 'sessionDurationSeconds must be an integer from 900 to 43200 (got "899")'],
    [{ ...BASE, iamRoleBasedAccessEnabled: 'true', roleArn: 'arn:aws:iam::123456789012:role/r', sessionDurationSeconds: '43201' }, 'sessionDurationSeconds must be an integer from 900 to 43200'],
    [{ ...BASE, iamRoleBasedAccessEnabled: 'true', roleArn: 'arn:aws:iam::123456789012:role/r', roleSessionName: 'a b' }, 'roleSessionName must be 2-64 characters'],
    [{ ...BASE, iamRoleBasedAccessEnabled: 'true', roleArn: 'arn:aws:iam::123456789012:role/r', externalId: 'x' }, 'externalId must be 2-1224 characters'],
    [{ ...BASE, iamRoleBasedAccessEnabled: 'true', roleArn: 'arn:aws:iam::123456789012:role/r', stsEndpoint: 'sts.local' }, 'stsEndpoint must be an http:// or https:// URL'],
    [{ ...BASE, roleArn: 'arn:aws:iam::123456789012:role/r' }, 'roleArn is only used when iamRoleBasedAccessEnabled is true'],
    [{ ...BASE, iamRoleBasedAccessEnabled: 'yes' }, 'iamRoleBasedAccessEnabled must be true or false'],
  ])('names the bad key: %j', (properties, expected) => {
    expect(problem(properties)).toContain(expected);
  });

  it('names the env variable when the endpoint came from the environment', () => {
    expect(problem(BASE, { AWS_ENDPOINT_URL_KINESIS: 'nope' })).toContain('AWS_ENDPOINT_URL_KINESIS (env) must be an http');
  });

  it('reports every problem at once and never echoes a secret', () => {
    const message = problem({ ...BASE, secretKey: 'hunter2-very-secret', maxRecordsToFetch: '0', requests_per_second_limit: '-1' });
    expect(message).toContain('accessKey is required');
    expect(message).toContain('maxRecordsToFetch');
    expect(message).toContain('requests_per_second_limit');
    expect(message).not.toContain('hunter2');
  });
});

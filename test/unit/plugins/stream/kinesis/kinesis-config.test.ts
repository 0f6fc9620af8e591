import { describe, expect, it } from 'vitest';
import type { StreamConfig } from '../../../../../src/config/table-config.js';
import { ShardtableError } from '../../../../../src/errors.js';
import { parseKinesisConfig } from '../../../../../src/plugins/stream/kinesis/kinesis-config.js';

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
      shardIteratorType: 'LATEST',
      initialIteratorType: 'LATEST',
      initialTimestampMs: undefined,
      initialPositionDescription: 'LATEST',
      maxRecordsToFetch: 10_000,
      fetchTimeoutMs: 5_000,
      requestsPerSecondLimit: 1,
      discoveryIntervalMs: 60_000,
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

  it('needs a timestamp for AT_TIMESTAMP', () => {
    expect(problem({ ...BASE, shardIteratorType: 'AT_TIMESTAMP' })).toContain('shardIteratorTimestamp is required');
    const config = parseKinesisConfig(stream({ ...BASE, shardIteratorType: 'AT_TIMESTAMP', shardIteratorTimestamp: '2024-01-02T03:04:05Z' }), {});
    expect(config.initialTimestampMs).toBe(Date.parse('2024-01-02T03:04:05Z'));
    expect(config.initialPositionDescription).toBe('AT_TIMESTAMP 2024-01-02T03:04:05.000Z');
    expect(problem({ ...BASE, shardIteratorType: 'AT_TIMESTAMP', shardIteratorTimestamp: 'yesterday' })).toContain('shardIteratorTimestamp must be');
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
    [{ ...BASE, requests_per_second_limit: '0' }, 'requests_per_second_limit must be a number greater than 0'],
    [{ ...BASE, requests_per_second_limit: 'fast' }, 'requests_per_second_limit must be a number'],
    [{ ...BASE, 'stream.kinesis.shard.discovery.interval.ms': '5' }, 'stream.kinesis.shard.discovery.interval.ms must be an integer from 100'],
    [{ ...BASE, iamRoleBasedAccessEnabled: 'true' }, 'iamRoleBasedAccessEnabled=true is not supported'],
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

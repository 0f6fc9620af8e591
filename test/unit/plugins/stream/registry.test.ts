import { describe, expect, it } from 'vitest';
import type { StreamConfig } from '../../../../src/config/table-config.js';
import { KinesisConsumerFactory, PartitionIdMap } from '../../../../src/plugins/stream/kinesis/index.js';
import { kinesisPlugin } from '../../../../src/plugins/stream/kinesis/kinesis-plugin.js';
import { bindStream, createStreamConsumerFactory, streamPluginFor, supportedStreamTypes } from '../../../../src/plugins/stream/registry.js';
import { PermanentStreamError, TransientStreamError } from '../../../../src/spi/partition-consumer.js';

function stream(streamType: string, properties: Record<string, string> = {}): StreamConfig {
  return {
    streamType,
    topicName: 'events',
    properties: { streamType, 'stream.kinesis.topic.name': 'events', endpoint: 'http://127.0.0.1:1', ...properties },
    flush: { rows: 1000, timeMs: 60_000, segmentSizeBytes: 0 },
    decoderName: 'json',
  };
}

describe('stream plugin registry', () => {
  it('binds a Kinesis stream once and builds a factory exposing the configured timings', async () => {
    const bound = bindStream(stream('kinesis', { 'stream.kinesis.fetch.timeout.millis': '300', shardIteratorType: 'AFTER_SEQUENCE_NUMBER' }), { tableName: 'events' });
    expect(bound.plugin).toBe(kinesisPlugin);
    expect(Object.isFrozen(bound)).toBe(true);
    const factory = createStreamConsumerFactory(bound, { partitionIds: new PartitionIdMap(), tableName: 'events' });
    expect(factory).toBeInstanceOf(KinesisConsumerFactory);
    expect(factory.fetchTimeoutMs).toBe(300);
    expect(factory.discoveryIntervalMs).toBe(60_000);
    expect(factory.initialPositionDescription).toMatch(/^TRIM_HORIZON/);
    expect(factory.offsetFactory.parse('12').toString()).toBe('12');
    await factory.close();
  });

  it('names an unknown streamType and the supported ones', () => {
    expect(supportedStreamTypes()).toEqual(['kinesis', 'dynamodb']);
    expect(() => streamPluginFor('kafka')).toThrow('invalid stream config: streamType "kafka" is not supported; supported: kinesis');
    expect(() => bindStream(stream('kafka'), { tableName: 'events' })).toThrow(/streamType "kafka"/);
    expect(streamPluginFor(' Kinesis ')).toBe(kinesisPlugin);
  });

  it('validates plugin keys at binding, without connecting', () => {
    expect(() => bindStream(stream('kinesis', { maxRecordsToFetch: '0' }), { tableName: 'events' })).toThrow(/maxRecordsToFetch/);
    expect(() => bindStream(stream('kinesis'), { tableName: 'events' })).not.toThrow();
  });
});

describe('the Kinesis plugin seams', () => {
  it('owns its key prefix and status words', () => {
    expect(kinesisPlugin.keyPrefix).toBe('stream.kinesis.');
    expect(kinesisPlugin.statusWords.resumedAfter('42')).toBe('AFTER_SEQUENCE_NUMBER 42 (last sealed segment)');
    expect(kinesisPlugin.statusWords.childFromOldest).toMatch(/^TRIM_HORIZON/);
  });

  it('round-trips its partition-id scheme through the persisted form', () => {
    const ids = kinesisPlugin.loadPartitionIds(null);
    expect(ids.idFor('shardId-000000000007')).toBe(7);
    expect(ids.idFor('custom-shard')).toBe(-1);
    expect(ids.changed).toBe(true);
    const again = kinesisPlugin.loadPartitionIds(JSON.parse(JSON.stringify(ids.toJSON())));
    expect(again.idFor('custom-shard')).toBe(-1);
    expect(again.idFor('other')).toBe(-2);
  });

  it('classifies stream, network and other errors', () => {
    const sdk = (name: string): Error => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });
    expect(kinesisPlugin.classifyError(sdk('ResourceNotFoundException'))).toBe('permanent');
    expect(kinesisPlugin.classifyError(sdk('AccessDeniedException'))).toBe('permanent');
    expect(kinesisPlugin.classifyError(sdk('ProvisionedThroughputExceededException'))).toBe('transient');
    expect(kinesisPlugin.classifyError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(kinesisPlugin.classifyError(new Error('wrapped', { cause: new PermanentStreamError('gone') }))).toBe('permanent');
    expect(kinesisPlugin.classifyError(new TransientStreamError('slow'))).toBe('transient');
    expect(kinesisPlugin.classifyError(Object.assign(new Error('disk'), { code: 'ENOSPC' }))).toBeNull();
    expect(kinesisPlugin.classifyError(new TypeError('bug'))).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { StreamConfig } from '../../../../src/config/table-config.js';
import { KinesisConsumerFactory } from '../../../../src/plugins/stream/kinesis/index.js';
import { PartitionIdMap } from '../../../../src/plugins/stream/kinesis/index.js';
import { createStreamConsumerFactory, supportedStreamTypes, validateStreamConfig } from '../../../../src/plugins/stream/registry.js';

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
  it('builds a Kinesis factory exposing the configured timings', async () => {
    const factory = createStreamConsumerFactory(stream('kinesis', { 'stream.kinesis.fetch.timeout.millis': '300', shardIteratorType: 'AFTER_SEQUENCE_NUMBER' }), { partitionIds: new PartitionIdMap() });
    expect(factory).toBeInstanceOf(KinesisConsumerFactory);
    expect(factory.fetchTimeoutMs).toBe(300);
    expect(factory.discoveryIntervalMs).toBe(60_000);
    expect(factory.initialPositionDescription).toMatch(/^TRIM_HORIZON/);
    expect(factory.offsetFactory.parse('12').toString()).toBe('12');
    await factory.close();
  });

  it('names an unknown streamType and the supported ones', () => {
    expect(supportedStreamTypes()).toEqual(['kinesis']);
    expect(() => createStreamConsumerFactory(stream('kafka'), { partitionIds: new PartitionIdMap() })).toThrow('invalid stream config: streamType "kafka" is not supported; supported: kinesis');
    expect(() => validateStreamConfig(stream('kafka'))).toThrow(/streamType "kafka"/);
  });

  it('validates plugin keys without connecting', () => {
    expect(() => validateStreamConfig(stream('kinesis', { maxRecordsToFetch: '0' }))).toThrow(/maxRecordsToFetch/);
    expect(() => validateStreamConfig(stream('kinesis'))).not.toThrow();
  });
});

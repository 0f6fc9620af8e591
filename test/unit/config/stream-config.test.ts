import { describe, expect, it } from 'vitest';
import { decoderNameFor, FLUSH_DEFAULTS, parseDataSize, parseDurationMs, parseStreamConfig } from '../../../src/config/stream-config.js';
import { ShardtableError } from '../../../src/errors.js';

const base = { streamType: 'kinesis', 'stream.kinesis.topic.name': 'events' };

function problem(map: Record<string, unknown>, streamTypes?: readonly string[]): string {
  try {
    parseStreamConfig(map, 'tableIndexConfig.streamConfigs', streamTypes);
  } catch (error) {
    expect((error as ShardtableError).errorName).toBe('STREAM_CONFIG');
    expect((error as ShardtableError).status).toBe(400);
    return (error as Error).message;
  }
  throw new Error('expected parseStreamConfig to throw');
}

describe('parseStreamConfig', () => {
  it('applies Pinot defaults', () => {
    const stream = parseStreamConfig(base);
    expect(stream.streamType).toBe('kinesis');
    expect(stream.topicName).toBe('events');
    expect(stream.decoderName).toBe('json');
    expect(stream.flush).toEqual({ rows: 5_000_000, timeMs: 6 * 3_600_000, segmentSizeBytes: 0 });
    expect(Object.isFrozen(stream)).toBe(true);
  });

  it('stores every value as a string, numbers and booleans included', () => {
    const stream = parseStreamConfig({ ...base, maxRecordsToFetch: 500, iamRoleBasedAccessEnabled: true, 'realtime.segment.flush.threshold.rows': 100 });
    expect(stream.properties.maxRecordsToFetch).toBe('500');
    expect(stream.properties.iamRoleBasedAccessEnabled).toBe('true');
    expect(stream.flush.rows).toBe(100);
  });

  it('rejects object values, naming the key', () => {
    expect(problem({ ...base, region: { a: 1 } })).toContain('tableIndexConfig.streamConfigs.region: must be a string or a number');
  });

  it('requires streamType and the topic name', () => {
    expect(problem({ 'stream.kinesis.topic.name': 'x' })).toContain('tableIndexConfig.streamConfigs.streamType: is required');
    expect(problem({ streamType: 'kinesis' })).toContain('tableIndexConfig.streamConfigs["stream.kinesis.topic.name"]: is required');
  });

  it('rejects stream types this build cannot read', () => {
    expect(problem({ streamType: 'kafka', 'stream.kafka.topic.name': 't' }, ['kinesis'])).toContain('streamType: kafka is not supported; supported stream types: kinesis');
  });

  it('reads flush rows, with .size as a deprecated alias and .rows winning', () => {
    expect(parseStreamConfig({ ...base, 'realtime.segment.flush.threshold.size': '63' }).flush.rows).toBe(63);
    expect(parseStreamConfig({ ...base, 'realtime.segment.flush.threshold.size': '63', 'realtime.segment.flush.threshold.rows': '70' }).flush.rows).toBe(70);
    expect(problem({ ...base, 'realtime.segment.flush.threshold.rows': '1e6' })).toContain('["realtime.segment.flush.threshold.rows"]: must be a whole number of rows');
    expect(problem({ ...base, 'realtime.segment.flush.threshold.rows': '-1' })).toContain('must be a whole number');
  });

  it('treats rows 0 as "seal by size" with Pinot\'s 200M default', () => {
    expect(parseStreamConfig({ ...base, 'realtime.segment.flush.threshold.rows': '0' }).flush).toEqual({ rows: 0, timeMs: FLUSH_DEFAULTS.timeMs, segmentSizeBytes: 200 * 1024 * 1024 });
    expect(parseStreamConfig({ ...base, 'realtime.segment.flush.threshold.rows': '0', 'realtime.segment.flush.threshold.segment.size': '50M' }).flush.segmentSizeBytes).toBe(50 * 1024 * 1024);
    expect(problem({ ...base, 'realtime.segment.flush.threshold.rows': '0', 'realtime.segment.flush.threshold.segment.size': '0' })).toContain('must be more than 0 when realtime.segment.flush.threshold.rows is 0');
  });

  it('reads the time and size thresholds', () => {
    const stream = parseStreamConfig({ ...base, 'realtime.segment.flush.threshold.time': '30m', 'realtime.segment.flush.threshold.segment.size': '1G' });
    expect(stream.flush.timeMs).toBe(1_800_000);
    expect(stream.flush.segmentSizeBytes).toBe(1024 ** 3);
    expect(parseStreamConfig({ ...base, 'realtime.segment.flush.desired.size': '500K' }).flush.segmentSizeBytes).toBe(500 * 1024);
    expect(problem({ ...base, 'realtime.segment.flush.threshold.time': 'soon' })).toContain('["realtime.segment.flush.threshold.time"]: must be a duration such as 6h');
    expect(problem({ ...base, 'realtime.segment.flush.threshold.segment.size': 'big' })).toContain('["realtime.segment.flush.threshold.segment.size"]: must be a size such as 200M');
  });

  it('rejects a size threshold below 4K (a file every few records), naming the key; 0 stays "off" and small row counts stay allowed', () => {
    for (const size of ['1', '100', '4095', '1K']) {
      expect(problem({ ...base, 'realtime.segment.flush.threshold.segment.size': size })).toContain(
        `["realtime.segment.flush.threshold.segment.size"]: must be at least 4K (4096 bytes), or 0 for no size threshold; got ${JSON.stringify(size)}`,
      );
    }
    expect(problem({ ...base, 'realtime.segment.flush.desired.size': '1' })).toContain('["realtime.segment.flush.desired.size"]: must be at least 4K');
    expect(parseStreamConfig({ ...base, 'realtime.segment.flush.threshold.segment.size': '4K' }).flush.segmentSizeBytes).toBe(4096);
    expect(parseStreamConfig({ ...base, 'realtime.segment.flush.threshold.segment.size': '0' }).flush.segmentSizeBytes).toBe(0);
    expect(parseStreamConfig({ ...base, 'realtime.segment.flush.threshold.rows': '1' }).flush.rows).toBe(1);
  });

  it('maps decoder class names and names the key of an unknown one', () => {
    const key = 'stream.kinesis.decoder.class.name';
    expect(parseStreamConfig({ ...base, [key]: 'org.apache.pinot.plugin.inputformat.avro.SimpleAvroMessageDecoder' }).decoderName).toBe('avro');
    expect(problem({ ...base, [key]: 'com.example.MyDecoder' })).toContain('tableIndexConfig.streamConfigs["stream.kinesis.decoder.class.name"]: unknown decoder class com.example.MyDecoder');
  });

  it('lists every problem at once', () => {
    const message = problem({ streamType: 'kinesis', 'realtime.segment.flush.threshold.time': 'x' });
    expect(message).toContain('topic.name');
    expect(message).toContain('threshold.time');
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['6h', 21_600_000],
    ['30m', 1_800_000],
    ['45s', 45_000],
    ['1d', 86_400_000],
    ['1500ms', 1500],
    ['3600000', 3_600_000],
    ['2h30m', 9_000_000],
    ['1H', 3_600_000],
    ['0', 0],
  ])('%s = %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', 'h', '6x', '-1h', '1.5.2h', 'six hours'])('rejects %j', (text) => expect(parseDurationMs(text)).toBeUndefined());
});

describe('parseDataSize', () => {
  it.each([
    ['200M', 200 * 1024 ** 2],
    ['1G', 1024 ** 3],
    ['500K', 512_000],
    ['300MB', 300 * 1024 ** 2],
    ['1.5G', 1.5 * 1024 ** 3],
    ['1048576', 1_048_576],
    ['0', 0],
  ])('%s = %d bytes', (text, bytes) => expect(parseDataSize(text)).toBe(bytes));

  it.each(['', 'M', '200X', '-5M', 'lots'])('rejects %j', (text) => expect(parseDataSize(text)).toBeUndefined());
});

describe('decoderNameFor', () => {
  it.each([
    ['org.apache.pinot.plugin.stream.kafka.KafkaJSONMessageDecoder', 'json'],
    ['org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder', 'json'],
    ['com.acme.MyJsonDecoder', 'json'],
    ['org.apache.pinot.plugin.inputformat.avro.SimpleAvroMessageDecoder', 'avro'],
    ['org.apache.pinot.plugin.inputformat.csv.CSVMessageDecoder', 'csv'],
    ['json', 'json'],
    ['AVRO', 'avro'],
    ['csv', 'csv'],
    ['raw', 'raw'],
  ])('%s -> %s', (className, name) => expect(decoderNameFor(className)).toEqual({ name }));

  it('rejects unknown classes and schema-registry decoders', () => {
    expect(decoderNameFor('org.apache.pinot.plugin.inputformat.protobuf.ProtoBufMessageDecoder')).toHaveProperty('error');
    expect(decoderNameFor('org.apache.pinot.plugin.inputformat.avro.confluent.KafkaConfluentSchemaRegistryAvroMessageDecoder')).toHaveProperty('error');
    // Pinot's KafkaAvroMessageDecoder fetches writer schemas from a registry (schema.registry.rest.url).
    expect(decoderNameFor('org.apache.pinot.plugin.inputformat.avro.KafkaAvroMessageDecoder')).toHaveProperty('error');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../src/config/schema.js';
import { validateSchema } from '../../../src/config/schema-validation.js';
import { validateTableConfig } from '../../../src/config/table-config-validation.js';
import { supportedStreamTypes } from '../../../src/plugins/stream/registry.js';
import { kinesisDocSchema, kinesisDocTableConfig } from '../../helpers/pinot-config-fixtures.js';

const CONFORMANCE = join(import.meta.dirname, '../../../../shared/pinot-conformance');
const COMPAT = join(CONFORMANCE, 'compat/sample-test-suite/config');

function readJson(path: string): Record<string, any> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
}

/** Swaps a Kafka stream config map for a Kinesis one, keeping the flush thresholds and decoder. */
function toKinesis(kafka: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { streamType: 'kinesis', 'stream.kinesis.topic.name': kafka['stream.kafka.topic.name']!, region: 'us-east-1', endpoint: 'http://127.0.0.1:4567', shardIteratorType: 'TRIM_HORIZON' };
  for (const [key, value] of Object.entries(kafka)) {
    if (key.startsWith('realtime.')) out[key] = value;
    if (key === 'stream.kafka.decoder.class.name') out['stream.kinesis.decoder.class.name'] = value;
  }
  return out;
}

describe('Pinot\'s Kinesis documentation example', () => {
  it('is accepted as written', () => {
    const schema = buildTableSchema(validateSchema(kinesisDocSchema()));
    const table = validateTableConfig(kinesisDocTableConfig(), schema);
    expect(table.tableName).toBe('kinesisTable');
    expect(table.timeColumnName).toBe('timestamp');
    expect(table.stream).toMatchObject({ streamType: 'kinesis', topicName: '<your kinesis stream name>', decoderName: 'json' });
    expect(table.stream.flush).toEqual({ rows: 1_000_000, timeMs: 21_600_000, segmentSizeBytes: 0 });
    expect(table.stream.properties['stream.kinesis.fetch.timeout.millis']).toBe('30000');
    expect(table.stream.properties.secretKey).toBe('<your secret key>');
    expect(table.pinot.tenants).toEqual({});
    expect(table.pinot.metadata).toEqual({ customConfigs: {} });
  });
});

describe('Pinot compatibility-suite configs', () => {
  it.each(['FeatureTest1', 'FeatureTest2', 'FeatureTest3'])('%s schema validates', (name) => {
    const schema = validateSchema(readJson(join(COMPAT, `${name}-schema.json`)));
    expect(schema.schemaName).toBe(name);
    const table = buildTableSchema(schema);
    expect(table.columnIndex.has('HoursSinceEpoch')).toBe(true);
  });

  it.each([
    ['feature-test-2-realtime.json', 'FeatureTest2'],
    ['feature-test-3-realtime.json', 'FeatureTest3'],
  ])('%s validates with its stream swapped for Kinesis', (file, schemaName) => {
    const json = readJson(join(COMPAT, file));
    json.tableIndexConfig.streamConfigs = toKinesis(json.tableIndexConfig.streamConfigs);
    const schema = buildTableSchema(validateSchema(readJson(join(COMPAT, `${schemaName}-schema.json`))));
    const table = validateTableConfig(json, schema);
    expect(table.tableName).toBe(schemaName);
    expect(table.timeColumnName).toBe('HoursSinceEpoch');
    expect(table.stream.flush.rows).toBe(63);
    expect(table.stream.flush.timeMs).toBe(3_600_000);
    expect(table.pinot.tableIndexConfig?.segmentFormatVersion).toBe('v3');
  });

  it('the original Kafka config is rejected with a message naming streamType', () => {
    const json = readJson(join(COMPAT, 'feature-test-2-realtime.json'));
    const schema = buildTableSchema(validateSchema(readJson(join(COMPAT, 'FeatureTest2-schema.json'))));
    expect(() => validateTableConfig(json, schema, { streamTypes: supportedStreamTypes() })).toThrow('tableIndexConfig.streamConfigs.streamType: kafka is not supported');
  });
});

describe('Pinot airlineStats and quickstart configs', () => {
  it('airlineStats schema and realtime table config validate', () => {
    const schema = buildTableSchema(validateSchema(readJson(join(CONFORMANCE, 'airline/airlineStats_schema.json'))));
    const json = readJson(join(CONFORMANCE, 'airline/airlineStats_realtime_table_config.json'));
    const maps = json.ingestionConfig.streamIngestionConfig.streamConfigMaps;
    maps[0] = toKinesis(maps[0]);
    const table = validateTableConfig(json, schema);
    expect(table.tableName).toBe('airlineStats');
    expect(table.timeColumnName).toBe('DaysSinceEpoch');
    expect(table.stream.flush).toEqual({ rows: 50_000, timeMs: 3_600_000, segmentSizeBytes: 0 });
    expect(table.pinot.ingestionConfig?.transformConfigs).toHaveLength(2);
  });

  it('githubEvents quickstart config validates with a Kinesis stream', () => {
    const dir = join(CONFORMANCE, 'quickstart/githubEvents');
    const schema = buildTableSchema(validateSchema(readJson(join(dir, 'githubEvents_schema.json'))));
    const json = readJson(join(dir, 'githubEvents_realtime_table_config.json'));
    const maps = json.ingestionConfig.streamIngestionConfig.streamConfigMaps;
    maps[0] = toKinesis(maps[0]);
    expect(validateTableConfig(json, schema).indexing.invertedIndexColumns).toEqual(['id']);
  });

  it('the repository\'s quickstart schema and table validate', () => {
    const dir = join(import.meta.dirname, '../../../schemas/quickstart');
    const schema = buildTableSchema(validateSchema(readJson(join(dir, 'clickstream_schema.json'))));
    expect(validateTableConfig(readJson(join(dir, 'clickstream_realtime_table_config.json')), schema).stream.streamType).toBe('kinesis');
  });
});

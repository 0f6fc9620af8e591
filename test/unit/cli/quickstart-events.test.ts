import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PinotSchema } from '../../../src/config/schema.js';
import type { PinotTableConfig } from '../../../src/config/table-config.js';
import { buildTableSchema } from '../../../src/config/schema.js';
import { validateSchema } from '../../../src/config/schema-validation.js';
import { validateTableConfig } from '../../../src/config/table-config-validation.js';
import {
  createEventGenerator,
  QUICKSTART_PARTITION_KEY_FIELD,
  QUICKSTART_STREAM_NAME,
  QUICKSTART_TABLE_NAME,
} from '../../../src/cli/quickstart-events.js';
import { createDecoder } from '../../../src/plugins/decoder/registry.js';
import { kinesisSettings } from '../../helpers/decoder-settings.js';

const dir = new URL('../../../schemas/quickstart/', import.meta.url);
const pinotSchema = JSON.parse(readFileSync(new URL('clickstream_schema.json', dir), 'utf8')) as PinotSchema;
const tableConfig = JSON.parse(readFileSync(new URL('clickstream_realtime_table_config.json', dir), 'utf8')) as PinotTableConfig;
const NOW = 1_704_164_645_000;

describe('quickstart schema and table config', () => {
  const schema = buildTableSchema(pinotSchema);

  it('builds a schema with every kind of column the demo shows', () => {
    expect(schema.name).toBe(QUICKSTART_TABLE_NAME);
    const byName = new Map(schema.columns.map((c) => [c.name, c]));
    expect(byName.get('ts')).toMatchObject({ dataType: 'TIMESTAMP', fieldType: 'DATE_TIME', format: '1:MILLISECONDS:EPOCH' });
    expect(byName.get('tags')).toMatchObject({ dataType: 'STRING', singleValue: false });
    const types = new Set(schema.columns.map((c) => c.dataType));
    for (const t of ['STRING', 'INT', 'LONG', 'DOUBLE', 'BOOLEAN', 'TIMESTAMP']) expect(types).toContain(t);
  });

  it('passes schema and table config validation as POST /schemas and POST /tables run it', () => {
    const validated = buildTableSchema(validateSchema(pinotSchema));
    const config = validateTableConfig(tableConfig, validated);
    expect(config.tableName).toBe(QUICKSTART_TABLE_NAME);
    expect(config.timeColumnName).toBe('ts');
    expect(config.stream).toMatchObject({ streamType: 'kinesis', topicName: QUICKSTART_STREAM_NAME, decoderName: 'json' });
    expect(config.stream.flush.rows).toBe(20_000);
    expect(config.stream.flush.timeMs).toBe(60_000);
  });

  it('is a REALTIME Kinesis table config on the demo stream', () => {
    expect(tableConfig.tableName).toBe(QUICKSTART_TABLE_NAME);
    expect(tableConfig.tableType).toBe('REALTIME');
    expect(tableConfig.segmentsConfig?.timeColumnName).toBe('ts');
    const stream = tableConfig.tableIndexConfig?.streamConfigs as Record<string, string>;
    expect(stream).toMatchObject({
      streamType: 'kinesis',
      'stream.kinesis.topic.name': QUICKSTART_STREAM_NAME,
      shardIteratorType: 'TRIM_HORIZON',
      region: 'us-east-1',
      requests_per_second_limit: '5',
    });
    expect(Number(stream['realtime.segment.flush.threshold.rows'])).toBeLessThanOrEqual(50_000);
    for (const value of Object.values(stream)) expect(typeof value).toBe('string');
    for (const column of tableConfig.tableIndexConfig?.invertedIndexColumns ?? []) expect(schema.columnIndex.has(column)).toBe(true);
    for (const column of tableConfig.tableIndexConfig?.noDictionaryColumns ?? []) expect(schema.columnIndex.has(column)).toBe(true);
  });

  it('names a decoder class the registry builds, and generated events decode without error', () => {
    const stream = tableConfig.tableIndexConfig?.streamConfigs as Record<string, string>;
    const decoder = createDecoder(stream['stream.kinesis.decoder.class.name']!, schema, kinesisSettings(stream));
    const gen = createEventGenerator(3);
    const offset = { compareTo: () => 0, toString: () => '1' };
    for (let i = 0; i < 500; i++) {
      const value = new TextEncoder().encode(JSON.stringify(gen.next(NOW + i)));
      const result = decoder.decode({ key: 'k', value, offset, arrivalTimeMs: 0, serializedSize: value.length });
      expect(result.ok).toBe(true);
    }
  });
});

describe('createEventGenerator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = createEventGenerator(42);
    const b = createEventGenerator(42);
    const c = createEventGenerator(43);
    const fromA = Array.from({ length: 200 }, (_, i) => a.next(NOW + i));
    const fromB = Array.from({ length: 200 }, (_, i) => b.next(NOW + i));
    const fromC = Array.from({ length: 200 }, (_, i) => c.next(NOW + i));
    expect(fromB).toEqual(fromA);
    expect(fromC).not.toEqual(fromA);
  });

  it('gives unique event ids, a partition key and now-ish timestamps', () => {
    const gen = createEventGenerator(1);
    expect(gen.partitionKeyField).toBe(QUICKSTART_PARTITION_KEY_FIELD);
    const events = Array.from({ length: 5000 }, () => gen.next(NOW));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    for (const e of events) {
      expect(typeof e[gen.partitionKeyField]).toBe('string');
      expect(e.ts).toBeLessThanOrEqual(NOW);
      expect(e.ts).toBeGreaterThan(NOW - 5000);
    }
  });

  it('produces realistic variety: low- and high-cardinality values, purchases with revenue', () => {
    const gen = createEventGenerator(9);
    const events = Array.from({ length: 5000 }, (_, i) => gen.next(NOW + i));
    const distinct = (field: string) => new Set(events.map((e) => e[field])).size;
    expect(distinct('device')).toBe(3);
    expect(distinct('country')).toBeLessThan(20);
    expect(distinct('userId')).toBeGreaterThan(1000);
    const purchases = events.filter((e) => e.eventType === 'purchase');
    expect(purchases.length).toBeGreaterThan(0);
    for (const p of purchases) expect(typeof p.revenue).toBe('number');
    expect(events.some((e) => Array.isArray(e.tags))).toBe(true);
    expect(events.some((e) => e.tags === undefined)).toBe(true);
  });
});

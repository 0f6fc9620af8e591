import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../src/config/schema.js';
import type { TableSchema } from '../../../src/config/schema.js';
import { validateSchema } from '../../../src/config/schema-validation.js';
import { rawTableName, tableIdentity, validateTableConfig } from '../../../src/config/table-config-validation.js';
import { ShardtableError } from '../../../src/errors.js';
import { eventsSchema, eventsTableConfig, kinesisStreamConfigs } from '../../helpers/pinot-config-fixtures.js';

const schema: TableSchema = buildTableSchema(validateSchema({ ...eventsSchema(), primaryKeyColumns: [] }));

function config(patch: (c: Record<string, any>) => void): Record<string, any> {
  const c = eventsTableConfig() as Record<string, any>;
  patch(c);
  return c;
}

function problem(json: unknown, name: 'INVALID_TABLE_CONFIG' | 'STREAM_CONFIG' = 'INVALID_TABLE_CONFIG', against: TableSchema = schema): string {
  try {
    validateTableConfig(json, against);
  } catch (error) {
    expect(error).toBeInstanceOf(ShardtableError);
    expect((error as ShardtableError).errorName).toBe(name);
    expect((error as ShardtableError).status).toBe(400);
    return (error as Error).message;
  }
  throw new Error('expected validateTableConfig to throw');
}

describe('validateTableConfig', () => {
  it('builds the frozen engine view', () => {
    const table = validateTableConfig(eventsTableConfig(), schema);
    expect(table.tableName).toBe('events');
    expect(table.timeColumnName).toBe('ts');
    expect(table.indexing).toEqual({ sortedColumn: 'user', invertedIndexColumns: ['country'], noDictionaryColumns: [], nullHandlingEnabled: false });
    expect(table.stream.topicName).toBe('events-stream');
    expect(table.stream.flush.rows).toBe(1000);
    expect(table.stream.flush.timeMs).toBe(3_600_000);
    expect(Object.isFrozen(table)).toBe(true);
    expect(Object.isFrozen(table.pinot.tableIndexConfig)).toBe(true);
  });

  it('keeps unknown keys and writes Pinot\'s table name with type', () => {
    const table = validateTableConfig(eventsTableConfig(), schema);
    expect(table.pinot.someFutureKey).toEqual({ kept: true });
    expect(table.pinot.tableName).toBe('events_REALTIME');
    expect(table.pinot.tableType).toBe('REALTIME');
  });

  it('accepts foo and foo_REALTIME and stores the raw name', () => {
    expect(validateTableConfig(config((c) => (c.tableName = 'events_REALTIME')), schema).tableName).toBe('events');
    expect(rawTableName('events_REALTIME')).toBe('events');
    expect(rawTableName('events')).toBe('events');
  });

  it('requires tableName and rejects OFFLINE and unsafe names', () => {
    expect(problem(config((c) => delete c.tableName))).toContain('tableName: is required');
    expect(problem(config((c) => (c.tableName = 'events_OFFLINE')))).toContain('tableName: events_OFFLINE names an OFFLINE table');
    expect(problem(config((c) => (c.tableName = '../x')))).toContain('tableName: "../x" must start with a letter or digit');
    expect(problem(config((c) => (c.tableName = 'a__b')))).toContain("tableName: must not contain '__'");
    expect(problem('nope')).toContain('(body): must be a JSON object');
  });

  it('requires tableType REALTIME when given', () => {
    expect(problem(config((c) => (c.tableType = 'OFFLINE')))).toContain('tableType: must be REALTIME (shardtable serves realtime tables), got "OFFLINE"');
    expect(() => validateTableConfig(config((c) => delete c.tableType), schema)).not.toThrow();
  });

  it('takes the stream from ingestionConfig.streamIngestionConfig.streamConfigMaps[0]', () => {
    const json = config((c) => {
      delete c.tableIndexConfig.streamConfigs;
      c.ingestionConfig = { streamIngestionConfig: { streamConfigMaps: [kinesisStreamConfigs('other')] } };
    });
    expect(validateTableConfig(json, schema).stream.topicName).toBe('other');
  });

  it('requires exactly one stream config', () => {
    expect(problem(config((c) => {
      c.ingestionConfig = { streamIngestionConfig: { streamConfigMaps: [kinesisStreamConfigs('other')] } };
    }))).toContain('not both');
    expect(problem(config((c) => delete c.tableIndexConfig.streamConfigs))).toContain('a REALTIME table needs a stream config');
    expect(problem(config((c) => (c.tableIndexConfig.streamConfigs = {})))).toContain('a REALTIME table needs a stream config');
  });

  it('takes several streams from streamConfigMaps: one type, each topic once, at most 16', () => {
    const maps = (...configs: Record<string, unknown>[]) => config((c) => {
      delete c.tableIndexConfig.streamConfigs;
      c.ingestionConfig = { streamIngestionConfig: { streamConfigMaps: configs } };
    });
    const two = validateTableConfig(maps(kinesisStreamConfigs('a'), kinesisStreamConfigs('b')), schema);
    expect(two.streams.map((s) => s.topicName)).toEqual(['a', 'b']);
    expect(two.stream).toBe(two.streams[0]);
    expect(validateTableConfig(config(() => undefined), schema).streams).toHaveLength(1);
    expect(problem(maps(kinesisStreamConfigs('a'), kinesisStreamConfigs('a')))).toContain(
      'ingestionConfig.streamIngestionConfig.streamConfigMaps[1]: stream a is already read by ingestionConfig.streamIngestionConfig.streamConfigMaps[0]; give each stream once',
    );
    expect(problem(maps(kinesisStreamConfigs('a'), { ...kinesisStreamConfigs('b'), streamType: 'kafka', 'stream.kafka.topic.name': 'b' }))).toContain(
      'streamConfigMaps[1].streamType: every stream of a table must be of one type; the first is kinesis, this one kafka',
    );
    expect(problem(maps(...Array.from({ length: 17 }, (_, i) => kinesisStreamConfigs(`s${i}`))))).toContain('at most 16 streams per table, got 17');
    // Each map is parsed at its own path.
    expect(problem(maps(kinesisStreamConfigs('a'), { ...kinesisStreamConfigs('b'), 'realtime.segment.flush.threshold.rows': 'x' }), 'STREAM_CONFIG')).toContain('streamConfigMaps[1]["realtime.segment.flush.threshold.rows"]');
  });

  it('treats an empty streamConfigs next to streamConfigMaps as absent', () => {
    const json = config((c) => {
      c.tableIndexConfig.streamConfigs = {};
      c.ingestionConfig = { streamIngestionConfig: { streamConfigMaps: [kinesisStreamConfigs('maps')] } };
    });
    expect(validateTableConfig(json, schema).stream.topicName).toBe('maps');
  });

  it('requires streamType and the kinesis topic name, naming the path of the map', () => {
    expect(problem(config((c) => delete c.tableIndexConfig.streamConfigs.streamType), 'STREAM_CONFIG')).toContain('tableIndexConfig.streamConfigs.streamType: is required');
    expect(problem(config((c) => delete c.tableIndexConfig.streamConfigs['stream.kinesis.topic.name']), 'STREAM_CONFIG'))
      .toContain('tableIndexConfig.streamConfigs["stream.kinesis.topic.name"]: is required');
    const maps = config((c) => {
      const map = kinesisStreamConfigs();
      delete map['stream.kinesis.topic.name'];
      delete c.tableIndexConfig.streamConfigs;
      c.ingestionConfig = { streamIngestionConfig: { streamConfigMaps: [map] } };
    });
    expect(problem(maps, 'STREAM_CONFIG')).toContain('ingestionConfig.streamIngestionConfig.streamConfigMaps[0]["stream.kinesis.topic.name"]: is required');
  });

  it('checks the time column', () => {
    expect(problem(config((c) => (c.segmentsConfig.timeColumnName = 'when')))).toContain('segmentsConfig.timeColumnName: column when is not in schema events');
    expect(problem(config((c) => (c.segmentsConfig.timeColumnName = 'user')))).toContain('segmentsConfig.timeColumnName: column user is a DIMENSION column');
    expect(validateTableConfig(config((c) => delete c.segmentsConfig.timeColumnName), schema).timeColumnName).toBeUndefined();
  });

  it('checks index columns against the schema', () => {
    expect(problem(config((c) => (c.tableIndexConfig.sortedColumn = ['nope'])))).toContain('tableIndexConfig.sortedColumn[0]: column nope is not in schema events');
    expect(problem(config((c) => (c.tableIndexConfig.sortedColumn = ['user', 'country'])))).toContain('at most one sorted column');
    expect(problem(config((c) => (c.tableIndexConfig.invertedIndexColumns = ['country', 'x'])))).toContain('tableIndexConfig.invertedIndexColumns[1]: column x is not in schema events');
    expect(problem(config((c) => (c.tableIndexConfig.noDictionaryColumns = ['y'])))).toContain('tableIndexConfig.noDictionaryColumns[0]: column y is not in schema events');
    expect(problem(config((c) => (c.tableIndexConfig.invertedIndexColumns = 'country')))).toContain('tableIndexConfig.invertedIndexColumns: must be array');
  });

  it('accepts sortedColumn as a plain string or an empty array', () => {
    expect(validateTableConfig(config((c) => (c.tableIndexConfig.sortedColumn = 'country')), schema).indexing.sortedColumn).toBe('country');
    expect(validateTableConfig(config((c) => (c.tableIndexConfig.sortedColumn = [])), schema).indexing.sortedColumn).toBeUndefined();
  });

  it('checks transform and field config columns, retention and upsert', () => {
    expect(problem(config((c) => (c.ingestionConfig = { transformConfigs: [{ columnName: 'zz', transformFunction: 'upper(user)' }] }))))
      .toContain('ingestionConfig.transformConfigs[0].columnName: column zz is not in schema events');
    expect(problem(config((c) => (c.ingestionConfig = { transformConfigs: [{ columnName: 'user' }] })))).toContain('ingestionConfig.transformConfigs[0].transformFunction: is required');
    expect(problem(config((c) => (c.fieldConfigList = [{ name: 'ghost' }])))).toContain('fieldConfigList[0].name: column ghost is not in schema events');
    expect(problem(config((c) => Object.assign(c.segmentsConfig, { retentionTimeUnit: 'WEEKS', retentionTimeValue: '2' }))))
      .toContain('segmentsConfig.retentionTimeUnit: must be one of NANOSECONDS');
    expect(problem(config((c) => Object.assign(c.segmentsConfig, { retentionTimeUnit: 'DAYS', retentionTimeValue: 'x' })))).toContain('segmentsConfig.retentionTimeValue: must be a whole number');
    expect(problem(config((c) => (c.upsertConfig = { mode: 'FULL' })))).toContain('upsertConfig: needs primaryKeyColumns in schema events');
    expect(() => validateTableConfig(config((c) => Object.assign(c.segmentsConfig, { retentionTimeUnit: 'DAYS', retentionTimeValue: 5 })), schema)).not.toThrow();
  });

  it('fills index defaults and coerces Pinot-style strings', () => {
    const table = validateTableConfig(config((c) => {
      c.tableIndexConfig = { streamConfigs: kinesisStreamConfigs(), nullHandlingEnabled: 'true' };
    }), schema);
    expect(table.indexing).toEqual({ invertedIndexColumns: [], noDictionaryColumns: [], nullHandlingEnabled: true });
  });
});

describe('tableIdentity', () => {
  it('looks for the schema by raw table name, then segmentsConfig.schemaName', () => {
    expect(tableIdentity({ tableName: 'a_REALTIME', segmentsConfig: { schemaName: 'b' } })).toEqual({ tableName: 'a', schemaCandidates: ['a', 'b'] });
    expect(tableIdentity({ tableName: 'a' })).toEqual({ tableName: 'a', schemaCandidates: ['a'] });
  });
});

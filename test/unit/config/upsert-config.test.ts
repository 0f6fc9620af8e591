import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../src/config/schema.js';
import type { TableSchema } from '../../../src/config/schema.js';
import { validateSchema } from '../../../src/config/schema-validation.js';
import { validateTableConfig } from '../../../src/config/table-config-validation.js';
import { ShardtableError } from '../../../src/errors.js';
import { eventsTableConfig, kinesisStreamConfigs } from '../../helpers/pinot-config-fixtures.js';

const schema: TableSchema = buildTableSchema(
  validateSchema({
    schemaName: 'events',
    dimensionFieldSpecs: [
      { name: 'user', dataType: 'STRING' },
      { name: 'country', dataType: 'STRING' },
      { name: 'tags', dataType: 'STRING', singleValueField: false },
      { name: 'deleted', dataType: 'BOOLEAN' },
      { name: 'late', dataType: 'BOOLEAN' },
      { name: 'version', dataType: 'STRING' },
    ],
    metricFieldSpecs: [{ name: 'clicks', dataType: 'LONG' }, { name: 'score', dataType: 'DOUBLE' }],
    dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:TIMESTAMP', granularity: '1:SECONDS' }],
    primaryKeyColumns: ['user'],
  }),
);
const noKeys: TableSchema = { ...schema, primaryKeyColumns: [] };

function withUpsert(upsertConfig: Record<string, unknown>, patch: (c: Record<string, any>) => void = () => undefined): Record<string, any> {
  const c = eventsTableConfig() as Record<string, any>;
  c.tableIndexConfig.sortedColumn = [];
  c.tableIndexConfig.nullHandlingEnabled = true;
  c.upsertConfig = upsertConfig;
  patch(c);
  return c;
}

function problem(json: unknown, against: TableSchema = schema): string {
  try {
    validateTableConfig(json, against);
  } catch (error) {
    expect(error).toBeInstanceOf(ShardtableError);
    expect((error as ShardtableError).status).toBe(400);
    return (error as Error).message;
  }
  throw new Error('expected validateTableConfig to throw');
}

describe('upsertConfig is parsed into frozen settings, not ignored', () => {
  it('FULL by default, comparison column defaulting to the time column', () => {
    const table = validateTableConfig(withUpsert({}), schema);
    expect(table.upsert).toEqual({
      mode: 'FULL', primaryKeyColumns: ['user'], comparisonColumns: ['ts'], dropOutOfOrderRecord: false,
      partialUpsertStrategies: {}, defaultPartialUpsertStrategy: 'OVERWRITE', metadataTTL: 0, deletedKeysTTL: 0,
    });
    expect(Object.isFrozen(table.upsert)).toBe(true);
    expect(table.dedup).toBeUndefined();
  });

  it('mode NONE is an append table', () => {
    expect(validateTableConfig(withUpsert({ mode: 'NONE' }), noKeys).upsert).toBeUndefined();
  });

  it('PARTIAL with every field', () => {
    const table = validateTableConfig(withUpsert({
      mode: 'partial', comparisonColumns: ['ts'], deleteRecordColumn: 'deleted', outOfOrderRecordColumn: 'late',
      partialUpsertStrategies: { clicks: 'INCREMENT', tags: 'UNION', score: 'MAX', country: 'IGNORE' }, defaultPartialUpsertStrategy: 'OVERWRITE',
      metadataTTL: 3600, deletedKeysTTL: 60,
    }), schema);
    expect(table.upsert).toMatchObject({ mode: 'PARTIAL', deleteRecordColumn: 'deleted', outOfOrderRecordColumn: 'late', metadataTTL: 3600, deletedKeysTTL: 60 });
    expect(table.upsert!.partialUpsertStrategies).toEqual({ clicks: 'INCREMENT', tags: 'UNION', score: 'MAX', country: 'IGNORE' });
  });

  it('dedupConfig: first record wins, settings frozen', () => {
    const c = eventsTableConfig() as Record<string, any>;
    c.dedupConfig = { dedupEnabled: true, metadataTTL: 100, dedupTimeColumn: 'ts' };
    expect(validateTableConfig(c, schema).dedup).toEqual({ primaryKeyColumns: ['user'], metadataTTL: 100, dedupTimeColumn: 'ts' });
    c.dedupConfig = { dedupEnabled: false };
    expect(validateTableConfig(c, noKeys).dedup).toBeUndefined();
  });
});

describe("each of Pinot's upsert and dedup rules is a 400 naming the field", () => {
  const cases: [string, Record<string, any>, string, TableSchema?][] = [
    ['primary keys required', withUpsert({ mode: 'FULL' }), 'upsertConfig: needs primaryKeyColumns in schema events', noKeys],
    ['primary keys single-valued', withUpsert({}), 'upsertConfig: primary key column tags must be single-valued', { ...schema, primaryKeyColumns: ['tags'] }],
    ['unknown mode', withUpsert({ mode: 'SOMETIMES' }), 'upsertConfig.mode: must be FULL, PARTIAL or NONE, got "SOMETIMES"'],
    ['a comparison column is needed', withUpsert({}, (c) => delete c.segmentsConfig.timeColumnName), 'upsertConfig.comparisonColumns: needs a comparison column or segmentsConfig.timeColumnName'],
    ['comparison columns exist', withUpsert({ comparisonColumns: ['nope'] }), 'upsertConfig.comparisonColumns[0]: column nope is not in schema events'],
    ['TTL needs one comparison column', withUpsert({ comparisonColumns: ['ts', 'clicks'], metadataTTL: 10 }), 'upsertConfig.metadataTTL: needs exactly one comparison column, got 2'],
    ['TTL needs a numeric comparison column', withUpsert({ comparisonColumns: ['version'], metadataTTL: 10 }), 'upsertConfig.metadataTTL: comparison column version is STRING; a TTL needs a numeric comparison column'],
    ['deletedKeysTTL needs deleteRecordColumn', withUpsert({ deletedKeysTTL: 10 }), 'upsertConfig.deletedKeysTTL: needs upsertConfig.deleteRecordColumn'],
    ['delete column type', withUpsert({ deleteRecordColumn: 'score' }), 'upsertConfig.deleteRecordColumn: column score is DOUBLE; the delete column must be BOOLEAN, STRING, INT or LONG'],
    ['out-of-order column is BOOLEAN', withUpsert({ outOfOrderRecordColumn: 'country' }), 'upsertConfig.outOfOrderRecordColumn: column country is STRING; the out-of-order flag column must be BOOLEAN'],
    ['drop and flag exclude each other', withUpsert({ outOfOrderRecordColumn: 'late', dropOutOfOrderRecord: true }), 'upsertConfig.outOfOrderRecordColumn: cannot be set with dropOutOfOrderRecord'],
    ['no strategy on a primary key', withUpsert({ mode: 'PARTIAL', partialUpsertStrategies: { user: 'OVERWRITE' } }), 'upsertConfig.partialUpsertStrategies.user: user is a primary key column; it is never merged'],
    ['no strategy on a comparison column', withUpsert({ mode: 'PARTIAL', partialUpsertStrategies: { ts: 'MAX' } }), 'upsertConfig.partialUpsertStrategies.ts: ts is a comparison column; it is never merged'],
    ['INCREMENT only on numbers', withUpsert({ mode: 'PARTIAL', partialUpsertStrategies: { country: 'INCREMENT' } }), 'upsertConfig.partialUpsertStrategies.country: INCREMENT needs a single-value INT, LONG, FLOAT or DOUBLE column; country is STRING'],
    ['APPEND only on multi-value', withUpsert({ mode: 'PARTIAL', partialUpsertStrategies: { country: 'APPEND' } }), 'upsertConfig.partialUpsertStrategies.country: APPEND needs a multi-value column; country is single-valued'],
    ['UNION only on multi-value', withUpsert({ mode: 'PARTIAL', partialUpsertStrategies: { country: 'UNION' } }), 'upsertConfig.partialUpsertStrategies.country: UNION needs a multi-value column; country is single-valued'],
    ['MAX only on numbers', withUpsert({ mode: 'PARTIAL', partialUpsertStrategies: { country: 'MAX' } }), 'upsertConfig.partialUpsertStrategies.country: MAX needs a single-value numeric column; country is STRING'],
    ['unknown strategy', withUpsert({ mode: 'PARTIAL', partialUpsertStrategies: { clicks: 'AVERAGE' } }), 'upsertConfig.partialUpsertStrategies.clicks: unknown strategy "AVERAGE"'],
    ['strategy columns exist', withUpsert({ mode: 'PARTIAL', partialUpsertStrategies: { ghost: 'OVERWRITE' } }), 'upsertConfig.partialUpsertStrategies.ghost: column ghost is not in schema events'],
    ['strategies only in PARTIAL mode', withUpsert({ mode: 'FULL', partialUpsertStrategies: { clicks: 'INCREMENT' } }), 'upsertConfig.partialUpsertStrategies: only with mode PARTIAL'],
    ['unknown default strategy', withUpsert({ mode: 'PARTIAL', defaultPartialUpsertStrategy: 'SUM' }), 'upsertConfig.defaultPartialUpsertStrategy: unknown strategy "SUM"'],
    ['PARTIAL needs null handling', withUpsert({ mode: 'PARTIAL' }, (c) => (c.tableIndexConfig.nullHandlingEnabled = false)), 'upsertConfig.mode: PARTIAL needs tableIndexConfig.nullHandlingEnabled: true'],
    ['negative TTL', withUpsert({ metadataTTL: -1 }), 'upsertConfig.metadataTTL: must not be negative, got -1'],
    ['upsert and dedup exclude each other', withUpsert({}, (c) => (c.dedupConfig = { dedupEnabled: true })), 'dedupConfig.dedupEnabled: a table is either upsert or dedup; upsertConfig is enabled too'],
    ['dedup needs primary keys', withUpsert({ mode: 'NONE' }, (c) => (c.dedupConfig = { dedupEnabled: true })), 'dedupConfig: needs primaryKeyColumns in schema events', noKeys],
    ['dedup TTL needs a numeric time column', withUpsert({ mode: 'NONE' }, (c) => (c.dedupConfig = { dedupEnabled: true, metadataTTL: 5, dedupTimeColumn: 'country' })), 'dedupConfig.dedupTimeColumn: column country is STRING; the dedup time column must be numeric'],
    ['shape: dropOutOfOrderRecord is a boolean', withUpsert({ dropOutOfOrderRecord: 'yes' }), 'upsertConfig.dropOutOfOrderRecord: must be boolean'],
  ];
  it.each(cases)('%s', (_name, json, message, against) => {
    expect(problem(json, against ?? schema)).toContain(message);
  });
});

describe("Pinot's upsert quickstart config", () => {
  it('is accepted unchanged apart from its Kafka stream map, as a FULL upsert table keyed by event_id', () => {
    const dir = join(import.meta.dirname, '../../../../shared/pinot-conformance/quickstart/upsertMeetupRsvp');
    const pinotSchema = JSON.parse(readFileSync(join(dir, 'upsertMeetupRsvp_schema.json'), 'utf8'));
    const json = JSON.parse(readFileSync(join(dir, 'upsertMeetupRsvp_realtime_table_config.json'), 'utf8'));
    json.ingestionConfig.streamIngestionConfig.streamConfigMaps = [kinesisStreamConfigs('upsertMeetupRSVPEvents')];
    const table = validateTableConfig(json, buildTableSchema(validateSchema(pinotSchema)));
    expect(table.upsert).toMatchObject({ mode: 'FULL', primaryKeyColumns: ['event_id'], comparisonColumns: ['mtime'] });
    expect(table.pinot.upsertConfig).toMatchObject({ enableSnapshot: true, enablePreload: true });
  });
});

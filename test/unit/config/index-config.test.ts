import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../src/config/schema.js';
import { validateSchema } from '../../../src/config/schema-validation.js';
import { validateTableConfig } from '../../../src/config/table-config-validation.js';
import { eventsSchema, eventsTableConfig } from '../../helpers/pinot-config-fixtures.js';

const base = eventsSchema() as Record<string, any>;
const schema = buildTableSchema(validateSchema({ ...base, primaryKeyColumns: [], dimensionFieldSpecs: [...base.dimensionFieldSpecs, { name: 'payload', dataType: 'JSON' }, { name: 'tags', dataType: 'STRING', singleValueField: false }] }));

function indexing(patch: (c: Record<string, any>) => void) {
  const c = eventsTableConfig() as Record<string, any>;
  patch(c);
  return validateTableConfig(c, schema).indexing;
}

function problem(patch: (c: Record<string, any>) => void): string {
  try {
    indexing(patch);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('JSON index and bloom filter settings from Pinot table configs', () => {
  it('reads every form Pinot accepts', () => {
    expect(indexing((c) => (c.tableIndexConfig.jsonIndexColumns = ['payload'])).jsonIndexColumns).toEqual(['payload']);
    expect(indexing((c) => (c.tableIndexConfig.jsonIndexConfigs = { payload: { maxLevels: -1, excludeArray: false, includePaths: null } })).jsonIndexColumns).toEqual(['payload']);
    expect(indexing((c) => (c.fieldConfigList = [{ name: 'payload', encodingType: 'RAW', indexes: { json: {} } }])).jsonIndexColumns).toEqual(['payload']);
    expect(indexing((c) => (c.fieldConfigList = [{ name: 'payload', encodingType: 'RAW', indexTypes: ['JSON'] }])).jsonIndexColumns).toEqual(['payload']);
    expect(indexing((c) => (c.fieldConfigList = [{ name: 'payload', indexType: 'JSON' }])).jsonIndexColumns).toEqual(['payload']);
    expect(indexing((c) => (c.tableIndexConfig.bloomFilterColumns = ['user'])).bloomFilters).toEqual({ user: { fpp: 0.05, maxSizeInBytes: 0 } });
    expect(indexing((c) => (c.tableIndexConfig.bloomFilterConfigs = { user: { fpp: 0.01, maxSizeInBytes: 1000, loadOnHeap: true } })).bloomFilters).toEqual({ user: { fpp: 0.01, maxSizeInBytes: 1000 } });
    expect(indexing((c) => (c.fieldConfigList = [{ name: 'country', indexes: { bloom: { fpp: 0.1 } } }])).bloomFilters).toEqual({ country: { fpp: 0.1, maxSizeInBytes: 0 } });
    expect(indexing((c) => (c.tableIndexConfig.rangeIndexColumns = ['clicks', 'ts'])).rangeIndexColumns).toEqual(['clicks', 'ts']);
    expect(indexing((c) => (c.fieldConfigList = [{ name: 'clicks', indexes: { range: {} } }, { name: 'ts', indexTypes: ['RANGE'] }])).rangeIndexColumns).toEqual(['clicks', 'ts']);
    expect(indexing((c) => (c.fieldConfigList = [{ name: 'payload', encodingType: 'RAW', indexType: 'TEXT' }, { name: 'user', indexTypes: ['TEXT'] }])).textIndexColumns).toEqual(['payload', 'user']);
    expect(indexing((c) => (c.fieldConfigList = [{ name: 'user', indexes: { text: { luceneAnalyzerClass: 'x' } } }, { name: 'payload', indexes: { text: { disabled: true } } }])).textIndexColumns).toEqual(['user']);
    expect(indexing((c) => (c.fieldConfigList = [{ name: 'ts', encodingType: 'DICTIONARY', indexTypes: ['TIMESTAMP'], timestampConfig: { granularities: ['month', 'DAY', 'WEEK'] } }])).timestampIndexes).toEqual({ ts: ['DAY', 'WEEK', 'MONTH'] });
    expect(indexing((c) => (c.fieldConfigList = [{ name: 'ts', indexes: { timestamp: { granularities: ['HOUR'] } } }])).timestampIndexes).toEqual({ ts: ['HOUR'] });
    const none = indexing(() => {});
    expect(none.rangeIndexColumns).toBeUndefined();
    expect(none.jsonIndexColumns).toBeUndefined();
    expect(none.bloomFilters).toBeUndefined();
    expect(none.textIndexColumns).toBeUndefined();
    expect(none.timestampIndexes).toBeUndefined();
  });

  it('refuses bad columns and options, naming the field', () => {
    expect(problem((c) => (c.tableIndexConfig.jsonIndexColumns = ['nope']))).toContain('tableIndexConfig.jsonIndexColumns[0]: column nope is not in schema');
    expect(problem((c) => (c.fieldConfigList = [{ name: 'clicks', indexType: 'TEXT' }]))).toContain('fieldConfigList[0].indexTypes: a text index needs a single-value STRING or JSON column; clicks is LONG');
    expect(problem((c) => (c.fieldConfigList = [{ name: 'payload' }, { name: 'tags', indexes: { text: {} } }]))).toContain('fieldConfigList[1].indexes.text: a text index needs a single-value STRING or JSON column; tags is STRING multi-value');
    expect(problem((c) => (c.fieldConfigList = [{ name: 'nope', indexTypes: ['TEXT'] }]))).toContain('fieldConfigList[0].indexTypes: column nope is not in schema');
    expect(problem((c) => (c.fieldConfigList = [{ name: 'ts', indexTypes: ['TIMESTAMP'] }]))).toContain('fieldConfigList[0].timestampConfig.granularities: must be a non-empty list of MILLISECOND, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR');
    expect(problem((c) => (c.fieldConfigList = [{ name: 'ts', indexes: { timestamp: { granularities: ['DAY', 'FORTNIGHT'] } } }]))).toContain('fieldConfigList[0].indexes.timestamp.granularities: "FORTNIGHT" is not one of');
    expect(problem((c) => (c.fieldConfigList = [{ name: 'user', indexTypes: ['TIMESTAMP'], timestampConfig: { granularities: ['DAY'] } }]))).toContain('fieldConfigList[0].indexTypes: a timestamp index needs a single-value TIMESTAMP or LONG column; user is STRING');
    expect(problem((c) => (c.tableIndexConfig.jsonIndexColumns = ['clicks']))).toContain('a JSON index needs a single-value STRING or JSON column; clicks is LONG');
    expect(problem((c) => (c.tableIndexConfig.jsonIndexColumns = ['tags']))).toContain('tags is STRING multi-value');
    expect(problem((c) => (c.tableIndexConfig.jsonIndexConfigs = { payload: { maxLevels: 2 } }))).toContain('tableIndexConfig.jsonIndexConfigs.payload.maxLevels: only the default (-1) is supported, got 2');
    expect(problem((c) => (c.fieldConfigList = [{ name: 'payload', indexes: { json: { excludeArray: true } } }]))).toContain('fieldConfigList[0].indexes.json.excludeArray');
    expect(problem((c) => (c.tableIndexConfig.bloomFilterConfigs = { user: { fpp: 1.5 } }))).toContain('tableIndexConfig.bloomFilterConfigs.user.fpp: must be a number between 0 and 1');
    expect(problem((c) => (c.tableIndexConfig.bloomFilterConfigs = { user: { maxSizeInBytes: -1 } }))).toContain('maxSizeInBytes: must be a non-negative integer');
    expect(problem((c) => (c.tableIndexConfig.bloomFilterColumns = 'user'))).toContain('tableIndexConfig.bloomFilterColumns: must be a list of column names');
    expect(problem((c) => (c.tableIndexConfig.rangeIndexColumns = ['user']))).toContain('tableIndexConfig.rangeIndexColumns[0]: a range index needs a numeric or time column (INT, LONG, FLOAT, DOUBLE, TIMESTAMP, BOOLEAN); user is STRING');
    expect(problem((c) => (c.tableIndexConfig.bloomFilterColumns = ['ghost']))).toContain('tableIndexConfig.bloomFilterColumns[0]: column ghost is not in schema');
  });
});

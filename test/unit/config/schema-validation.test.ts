import { describe, expect, it } from 'vitest';
import { validateSchema, pointerToPath } from '../../../src/config/schema-validation.js';
import { buildTableSchema } from '../../../src/config/schema.js';
import { ShardtableError } from '../../../src/errors.js';
import { eventsSchema } from '../../helpers/pinot-config-fixtures.js';

function invalid(json: unknown): ShardtableError {
  try {
    validateSchema(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ShardtableError);
    expect((error as ShardtableError).errorName).toBe('INVALID_SCHEMA');
    expect((error as ShardtableError).status).toBe(400);
    return error as ShardtableError;
  }
  throw new Error('expected validateSchema to throw');
}

function withSpecs(patch: Record<string, unknown>): Record<string, unknown> {
  return { ...eventsSchema(), ...patch };
}

describe('validateSchema', () => {
  it('accepts a valid schema, fills defaults and leaves the input untouched', () => {
    const input = eventsSchema();
    const before = JSON.stringify(input);
    const schema = validateSchema(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(schema.dimensionFieldSpecs?.[0]?.singleValueField).toBe(true);
    const table = buildTableSchema(schema);
    expect(table.columns.map((c) => c.name)).toEqual(['user', 'country', 'clicks', 'ts']);
  });

  it('keeps unknown keys', () => {
    const schema = validateSchema(withSpecs({ enableColumnBasedNullHandling: true, dimensionFieldSpecs: [{ name: 'a', dataType: 'STRING', maxLength: 1000, custom: 'x' }] }));
    expect(schema.enableColumnBasedNullHandling).toBe(true);
    expect(schema.dimensionFieldSpecs?.[0]?.custom).toBe('x');
  });

  it('coerces scalar strings as Pinot does ("false" for a boolean)', () => {
    const schema = validateSchema(withSpecs({ dimensionFieldSpecs: [{ name: 'a', dataType: 'STRING', singleValueField: 'false' }] }));
    expect(schema.dimensionFieldSpecs?.[0]?.singleValueField).toBe(false);
  });

  it('requires schemaName', () => {
    const { schemaName: _unused, ...rest } = eventsSchema();
    expect(invalid(rest).message).toContain('schemaName: is required');
  });

  it('rejects a body that is not an object', () => {
    expect(invalid([1, 2]).message).toContain('(body): must be a JSON object');
    expect(invalid(undefined).message).toContain('(body)');
  });

  it('names the field path of an invalid dataType and lists the valid ones', () => {
    const error = invalid(withSpecs({
      dimensionFieldSpecs: [{ name: 'a', dataType: 'STRING' }, { name: 'b', dataType: 'INT' }, { name: 'c', dataType: 'STRNG' }],
    }));
    expect(error.message).toContain('dimensionFieldSpecs[2].dataType: must be one of INT, LONG, FLOAT, DOUBLE, BIG_DECIMAL, BOOLEAN, TIMESTAMP, STRING, JSON, BYTES, got "STRNG"');
  });

  it('requires a name and dataType on every field spec', () => {
    const error = invalid(withSpecs({ metricFieldSpecs: [{ dataType: 'INT' }, { name: 'm' }] }));
    expect(error.message).toContain('metricFieldSpecs[0].name: is required');
    expect(error.message).toContain('metricFieldSpecs[1].dataType: is required');
  });

  it('rejects field names used twice across spec lists', () => {
    const error = invalid(withSpecs({ metricFieldSpecs: [{ name: 'user', dataType: 'LONG' }] }));
    expect(error.message).toContain('metricFieldSpecs[0].name: column user is already defined at dimensionFieldSpecs[0]');
  });

  it('rejects a defaultNullValue that does not convert to the type', () => {
    const error = invalid(withSpecs({ dimensionFieldSpecs: [{ name: 'n', dataType: 'INT', defaultNullValue: 'abc' }] }));
    expect(error.message).toContain('dimensionFieldSpecs[0].defaultNullValue: "abc" is not a number (dataType INT)');
    expect(invalid(withSpecs({ dimensionFieldSpecs: [{ name: 'n', dataType: 'INT', defaultNullValue: 3000000000 }] })).message).toContain('is not a 32-bit integer');
    expect(invalid(withSpecs({ dimensionFieldSpecs: [{ name: 'b', dataType: 'BYTES', defaultNullValue: 'xyz' }] })).message).toContain('is not a hex string');
  });

  it('accepts convertible defaultNullValues', () => {
    expect(() => validateSchema(withSpecs({ dimensionFieldSpecs: [
      { name: 'i', dataType: 'INT', defaultNullValue: '-1' },
      { name: 'l', dataType: 'LONG', defaultNullValue: '9223372036854775807' },
      { name: 'b', dataType: 'BOOLEAN', defaultNullValue: 'false' },
      { name: 'x', dataType: 'BYTES', defaultNullValue: 'cafe' },
    ] }))).not.toThrow();
  });

  it('requires format and granularity on dateTimeFieldSpecs', () => {
    const error = invalid(withSpecs({ dateTimeFieldSpecs: [{ name: 't', dataType: 'LONG' }] }));
    expect(error.message).toContain('dateTimeFieldSpecs[0].format: is required');
    expect(error.message).toContain('dateTimeFieldSpecs[0].granularity: is required');
  });

  it('checks that format and granularity are Pinot forms', () => {
    const error = invalid(withSpecs({ dateTimeFieldSpecs: [{ name: 't', dataType: 'LONG', format: 'millis', granularity: 'often' }] }));
    expect(error.message).toContain('dateTimeFieldSpecs[0].format: "millis" is not a Pinot date-time format');
    expect(error.message).toContain('dateTimeFieldSpecs[0].granularity: "often" is not a Pinot granularity');
    for (const format of ['1:MILLISECONDS:EPOCH', 'EPOCH|SECONDS|1', 'EPOCH', 'SIMPLE_DATE_FORMAT|yyyy-MM-dd HH:mm:ss', '1:DAYS:SIMPLE_DATE_FORMAT:yyyyMMdd', '1:SECONDS:SIMPLE_DATE_FORMAT:yyyy-MM-dd\'T\'HH:mm:ssZ', 'TIMESTAMP', '1:MILLISECONDS:TIMESTAMP']) {
      expect(() => validateSchema(withSpecs({ dateTimeFieldSpecs: [{ name: 't', dataType: 'LONG', format, granularity: 'HOURS|1' }] }))).not.toThrow();
    }
  });

  it('rejects non-numeric or multi-value metrics', () => {
    const error = invalid(withSpecs({ metricFieldSpecs: [{ name: 'm', dataType: 'STRING' }, { name: 'n', dataType: 'INT', singleValueField: false }] }));
    expect(error.message).toContain('metricFieldSpecs[0].dataType: a metric must be one of INT, LONG, FLOAT, DOUBLE, BIG_DECIMAL, BYTES, got STRING');
    expect(error.message).toContain('metricFieldSpecs[1].singleValueField: a metric column must be single-valued');
  });

  it('checks that primary key columns exist', () => {
    const error = invalid(withSpecs({ primaryKeyColumns: ['user', 'nope'] }));
    expect(error.message).toContain('primaryKeyColumns[1]: column nope is not in the schema');
    expect(validateSchema(withSpecs({ primaryKeyColumns: ['user'] })).primaryKeyColumns).toEqual(['user']);
  });

  it('rejects schema names that cannot be file names', () => {
    expect(invalid(withSpecs({ schemaName: '../etc' })).message).toContain('schemaName: "../etc" must start with a letter or digit');
    expect(invalid(withSpecs({ schemaName: '' })).message).toContain('schemaName: must not be empty');
  });

  it('accepts the deprecated timeFieldSpec and checks its name against the others', () => {
    const schema = validateSchema({ schemaName: 's', dimensionFieldSpecs: [{ name: 'a', dataType: 'STRING' }], timeFieldSpec: { incomingGranularitySpec: { name: 'days', dataType: 'INT', timeType: 'DAYS' } } });
    expect(buildTableSchema(schema).columns.map((c) => c.fieldType)).toEqual(['DIMENSION', 'TIME']);
    expect(invalid({ schemaName: 's', dimensionFieldSpecs: [{ name: 'a', dataType: 'STRING' }], timeFieldSpec: { incomingGranularitySpec: { name: 'a', dataType: 'INT' } } }).message)
      .toContain('timeFieldSpec.incomingGranularitySpec.name: column a is already defined');
  });

  it('reports every problem at once', () => {
    const error = invalid({ schemaName: 's', dimensionFieldSpecs: [{ name: 'a', dataType: 'NOPE' }], metricFieldSpecs: [{ dataType: 'INT' }] });
    expect(error.message).toContain('dimensionFieldSpecs[0].dataType');
    expect(error.message).toContain('metricFieldSpecs[0].name: is required');
  });
});

describe('pointerToPath', () => {
  it('writes JSON pointers as field paths', () => {
    expect(pointerToPath('/dimensionFieldSpecs/2/dataType')).toBe('dimensionFieldSpecs[2].dataType');
    expect(pointerToPath('/tableIndexConfig/streamConfigs/stream.kinesis.topic.name')).toBe('tableIndexConfig.streamConfigs["stream.kinesis.topic.name"]');
    expect(pointerToPath('')).toBe('');
  });
});

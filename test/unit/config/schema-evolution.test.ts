import { describe, expect, it } from 'vitest';
import { checkSchemaEvolution } from '../../../src/config/schema-evolution.js';
import type { PinotSchema } from '../../../src/config/schema.js';

const base: PinotSchema = {
  schemaName: 'events',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
  ],
  metricFieldSpecs: [{ name: 'clicks', dataType: 'LONG' }],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
  primaryKeyColumns: ['id'],
};

describe('schema evolution (Pinot Schema.isBackwardCompatibleWith)', () => {
  it('accepts added columns and reports them; other changes of kept columns with the same type are allowed', () => {
    const next: PinotSchema = {
      ...base,
      dimensionFieldSpecs: [...base.dimensionFieldSpecs!, { name: 'region', dataType: 'STRING', defaultNullValue: 'unknown' }],
      metricFieldSpecs: [{ name: 'clicks', dataType: 'LONG', defaultNullValue: 1 }, { name: 'score', dataType: 'DOUBLE' }],
    };
    const result = checkSchemaEvolution(base, next);
    expect('evolution' in result && result.evolution.added.map((c) => [c.name, c.dataType, c.defaultNullValue])).toEqual([
      ['region', 'STRING', 'unknown'],
      ['score', 'DOUBLE', 0],
    ]);
    expect(checkSchemaEvolution(base, base)).toEqual({ evolution: { added: [] } });
  });

  it('refuses removed columns, type changes, single/multi-value changes and changed primary keys, naming each', () => {
    const next: PinotSchema = {
      ...base,
      dimensionFieldSpecs: [{ name: 'id', dataType: 'STRING' }, { name: 'tags', dataType: 'STRING' }],
      metricFieldSpecs: [],
      primaryKeyColumns: ['tags'],
    };
    expect(checkSchemaEvolution(base, next)).toEqual({
      problems: [
        'column id: data type LONG changed to STRING',
        'column tags: multi-value changed to single-value',
        'column clicks was removed',
        'primaryKeyColumns changed from [id] to [tags]',
      ],
    });
  });

  it('allows adding primary key columns to a schema that had none (Pinot: to add upsert later)', () => {
    const { primaryKeyColumns: _, ...noKeys } = base;
    expect(checkSchemaEvolution(noKeys, base)).toEqual({ evolution: { added: [] } });
  });
});

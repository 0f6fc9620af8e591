import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../../src/config/index.js';
import { mergePartialRow, planPartialUpsert } from '../../../src/upsert/partial-merge.js';
import type { PartialUpsertStrategy } from '../../../src/upsert/partial-merge.js';

const schema = buildTableSchema(validateSchema({
  schemaName: 'rsvp',
  primaryKeyColumns: ['id'],
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'STRING' },
    { name: 'name', dataType: 'STRING' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
    { name: 'groups', dataType: 'INT', singleValueField: false },
    { name: 'first', dataType: 'STRING' },
  ],
  metricFieldSpecs: [
    { name: 'clicks', dataType: 'LONG' },
    { name: 'score', dataType: 'DOUBLE' },
    { name: 'best', dataType: 'INT' },
    { name: 'worst', dataType: 'INT' },
  ],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
}));

const strategies: Record<string, PartialUpsertStrategy> = {
  clicks: 'INCREMENT', score: 'INCREMENT', tags: 'UNION', groups: 'APPEND', first: 'IGNORE', best: 'MAX', worst: 'MIN', ts: 'INCREMENT',
};
const plan = planPartialUpsert(schema, { strategies, defaultStrategy: 'OVERWRITE', comparisonColumns: ['ts'] });
const col = (name: string): number => schema.columnIndex.get(name)!;
type Cells = Record<string, unknown>;
const row = (cells: Cells): (never | null)[] => schema.columns.map((c) => (c.name in cells ? (cells[c.name] as never) : null));
const merge = (previous: Cells, incoming: Cells): Cells => {
  const merged = mergePartialRow(plan, row(previous), row(incoming));
  return Object.fromEntries(schema.columns.map((c) => [c.name, merged[col(c.name)]]));
};

describe('partial upsert merge (Pinot strategies and null rules)', () => {
  it('applies each strategy to two non-null values', () => {
    const out = merge(
      { id: 'k', name: 'a', tags: ['x', 'y'], groups: [1, 2], first: 'p', clicks: 5n, score: 1.5, best: 3, worst: 3, ts: 10n },
      { id: 'k', name: 'b', tags: ['y', 'z', 'z'], groups: [2, 3], first: 'q', clicks: 7n, score: 2.25, best: 9, worst: 1, ts: 20n },
    );
    expect(out).toEqual({ id: 'k', name: 'b', tags: ['x', 'y', 'z'], groups: [1, 2, 2, 3], first: 'p', clicks: 12n, score: 3.75, best: 9, worst: 1, ts: 20n });
  });

  it('keeps the previous value when the new one is null, and takes the new one when the previous is null', () => {
    expect(merge({ id: 'k', name: 'a', clicks: 5n, first: null }, { id: 'k', name: null, clicks: null, first: 'q' })).toMatchObject({ name: 'a', clicks: 5n, first: 'q' });
    expect(merge({ id: 'k', best: null, tags: null }, { id: 'k', best: 4, tags: ['t'] })).toMatchObject({ best: 4, tags: ['t'] });
  });

  it('never merges the primary key or the comparison column (new value wins, null keeps the old)', () => {
    expect(merge({ id: 'k', ts: 10n }, { id: 'k', ts: 20n }).ts).toBe(20n);
    expect(merge({ id: 'k', ts: 10n }, { id: 'k', ts: null }).ts).toBe(10n);
  });

  it('FORCE_OVERWRITE stores the new value even when it is null; LONG increments wrap as 64-bit', () => {
    const force = planPartialUpsert(schema, { strategies: { name: 'FORCE_OVERWRITE', clicks: 'INCREMENT' }, defaultStrategy: 'IGNORE', comparisonColumns: ['ts'] });
    const merged = mergePartialRow(force, row({ id: 'k', name: 'a', score: 1, clicks: 9223372036854775807n }), row({ id: 'k', name: null, score: 2, clicks: 1n }));
    expect(merged[col('name')]).toBeNull();
    expect(merged[col('score')]).toBe(1);
    expect(merged[col('clicks')]).toBe(-9223372036854775808n);
  });

  it('does not mutate its inputs', () => {
    const previous = row({ id: 'k', tags: ['x'] });
    const incoming = row({ id: 'k', tags: ['y'] });
    mergePartialRow(plan, previous, incoming);
    expect(previous[col('tags')]).toEqual(['x']);
    expect(incoming[col('tags')]).toEqual(['y']);
  });
});

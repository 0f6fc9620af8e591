import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema, validateTableConfig } from '../../../src/config/index.js';
import { rollupRows } from '../../../src/segment/index.js';

const schema = buildTableSchema(validateSchema({
  schemaName: 't',
  dimensionFieldSpecs: [{ name: 'country', dataType: 'STRING' }, { name: 'tags', dataType: 'STRING', singleValueField: false }],
  metricFieldSpecs: [{ name: 'clicks', dataType: 'LONG' }, { name: 'best', dataType: 'DOUBLE' }, { name: 'n', dataType: 'LONG' }],
}));
const streamConfigs = { streamType: 'kinesis', 'stream.kinesis.topic.name': 's', region: 'us-east-1' };
const table = (extra: Record<string, unknown>, index: Record<string, unknown> = {}): unknown => ({ tableName: 't', tableType: 'REALTIME', tableIndexConfig: { streamConfigs, ...index }, ...extra });

describe('rollup config', () => {
  it('aggregateMetrics sums every metric; aggregationConfigs map functions and add typed transforms', () => {
    expect(validateTableConfig(table({}, { aggregateMetrics: true }), schema).rollup).toEqual({ metrics: [{ column: 'clicks', fn: 'SUM' }, { column: 'best', fn: 'SUM' }, { column: 'n', fn: 'SUM' }] });
    const config = validateTableConfig(
      table({ ingestionConfig: { aggregationConfigs: [{ columnName: 'clicks', aggregationFunction: 'SUM(clicks)' }, { columnName: 'best', aggregationFunction: 'max(score)' }, { columnName: 'n', aggregationFunction: 'COUNT(*)' }] } }),
      schema,
    );
    expect(config.rollup).toEqual({ metrics: [{ column: 'clicks', fn: 'SUM' }, { column: 'best', fn: 'MAX' }, { column: 'n', fn: 'COUNT' }] });
    expect(config.ingestion?.transforms).toEqual([{ columnName: 'best', transformFunction: 'CAST(score AS DOUBLE)' }, { columnName: 'n', transformFunction: 'CAST(1 AS LONG)' }]);
    expect(validateTableConfig(table({}), schema).rollup).toBeUndefined();
  });

  it('names the field of every problem', () => {
    const bad = (json: unknown): string => {
      try {
        validateTableConfig(json, schema);
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(bad(table({ ingestionConfig: { aggregationConfigs: [{ columnName: 'country', aggregationFunction: 'SUM(x)' }] } }))).toMatch(/aggregationConfigs\[0\]\.columnName: "country" is not a metric column/);
    expect(bad(table({ ingestionConfig: { aggregationConfigs: [{ columnName: 'clicks', aggregationFunction: 'DISTINCTCOUNTHLL(x)' }] } }))).toMatch(/aggregationConfigs\[0\]\.aggregationFunction: must be SUM\(col\), MIN\(col\), MAX\(col\) or COUNT\(\*\).*DISTINCTCOUNTHLL is not supported/);
    expect(bad(table({ ingestionConfig: { aggregationConfigs: [{ columnName: 'clicks', aggregationFunction: 'SUM(clicks)' }] } }))).toMatch(/metric column best has no aggregation config/);
    expect(bad(table({}, { aggregateMetrics: true, nullHandlingEnabled: true }))).toMatch(/tableIndexConfig.aggregateMetrics: rollup needs tableIndexConfig.nullHandlingEnabled false/);
  });
});

describe('rollupRows', () => {
  it('combines rows of equal dimensions (multi-value cells included), keeping first-seen order', () => {
    const settings = { metrics: [{ column: 'clicks', fn: 'SUM' as const }, { column: 'best', fn: 'MAX' as const }, { column: 'n', fn: 'COUNT' as const }] };
    const rows = rollupRows(schema, settings, [
      ['NL', ['a'], 2n, 1.5, 1n],
      ['DE', ['a'], 1n, 9, 1n],
      ['NL', ['a'], 3n, 0.5, 1n],
      ['NL', ['a', 'b'], 4n, 2, 1n],
      ['NL', ['a'], 5n, 7, 1n],
    ]);
    expect(rows).toEqual([
      ['NL', ['a'], 10n, 7, 3n],
      ['DE', ['a'], 1n, 9, 1n],
      ['NL', ['a', 'b'], 4n, 2, 1n],
    ]);
    // A sum its INT column cannot hold starts another row of the group instead of wrapping.
    const ints = buildTableSchema(validateSchema({ schemaName: 'i', dimensionFieldSpecs: [{ name: 'k', dataType: 'STRING' }], metricFieldSpecs: [{ name: 'v', dataType: 'INT' }] }));
    const wide = rollupRows(ints, { metrics: [{ column: 'v', fn: 'SUM' }] }, [['a', 2_147_483_000], ['b', 1], ['a', 1000], ['a', 7], ['b', 2]]);
    expect(wide).toEqual([['a', 2_147_483_000], ['b', 3], ['a', 1007]]);
    const min = rollupRows(schema, { metrics: [{ column: 'clicks', fn: 'MIN' }, { column: 'best', fn: 'MIN' }, { column: 'n', fn: 'SUM' }] }, [['X', [], 5n, 3, 1n], ['X', [], 2n, 4, 1n]]);
    expect(min).toEqual([['X', [], 2n, 3, 2n]]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../src/config/schema.js';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { QueryEngine, snapshotRuntime, writeBrokerResponse } from '../../../../src/query/index.js';
import { buildFixture } from '../query-fixtures.js';
import type { BrokerJson, QueryFixture } from '../query-fixtures.js';

/**
 * Segments written before columns were added to their table's schema (schema evolution): the
 * added columns answer their default null value, single- and multi-value, prune by value, and
 * are null when the segment was written with null handling on.
 */
const OLD: PinotSchema = {
  schemaName: 'events',
  dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:TIMESTAMP', granularity: '1:MILLISECONDS' }],
};
const NEW: PinotSchema = {
  ...OLD,
  dimensionFieldSpecs: [
    ...OLD.dimensionFieldSpecs!,
    { name: 'region', dataType: 'STRING' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
    { name: 'level', dataType: 'INT', defaultNullValue: 7 },
  ],
  metricFieldSpecs: [{ name: 'score', dataType: 'DOUBLE' }],
};

const rows = Array.from({ length: 25 }, (_, i) => [BigInt(i), 1_700_000_000_000n + BigInt(i)]);

function evolvedEngine(fx: QueryFixture): (sql: string) => Promise<BrokerJson> {
  const schema = buildTableSchema(NEW);
  const runtime = { schema, queryableSegments: () => ({ sealed: fx.sealed, consuming: fx.consuming }) };
  const engine = new QueryEngine({ resolve: () => ({ name: 'events', schema, snapshot: () => snapshotRuntime(runtime) }) });
  return async (sql) => JSON.parse(writeBrokerResponse(await engine.query(sql))) as BrokerJson;
}

describe('columns added to the schema after a segment was written', () => {
  let plain: QueryFixture;
  let nullable: QueryFixture;
  beforeAll(async () => {
    // Sealed segments of rows 0-9 and 10-19, a consuming one of rows 20-24, all on the old schema.
    plain = await buildFixture(OLD, rows, { segmentRows: 10 });
    nullable = await buildFixture(OLD, rows, { segmentRows: 10, indexing: { nullHandlingEnabled: true } });
  });
  afterAll(async () => {
    await plain.cleanup();
    await nullable.cleanup();
  });

  it('answer the default null value in every row, sealed and consuming, typed by the new schema', async () => {
    const query = evolvedEngine(plain);
    const r = await query('SELECT id, region, tags, level, score FROM events WHERE id IN (0, 24) ORDER BY id');
    expect(r.exceptions).toEqual([]);
    expect(r.resultTable!.dataSchema.columnDataTypes).toEqual(['LONG', 'STRING', 'STRING_ARRAY', 'INT', 'DOUBLE']);
    expect(r.resultTable!.rows).toEqual([
      [0, 'null', ['null'], 7, 0],
      [24, 'null', ['null'], 7, 0],
    ]);
    const grouped = await query('SELECT region, level, count(*), sum(score) FROM events GROUP BY region, level');
    expect(grouped.resultTable!.rows).toEqual([['null', 7, 25, 0]]);
    expect((await query("SELECT count(*) FROM events WHERE tags = 'null'")).resultTable!.rows).toEqual([[25]]);
  });

  it('prune segments by value: their min and max are the default', async () => {
    const query = evolvedEngine(plain);
    const r = await query("SELECT count(*) FROM events WHERE region = 'eu'");
    expect(r.resultTable!.rows).toEqual([[0]]);
    expect(r.numSegmentsPrunedByValue).toBe(3);
    expect(r.numSegmentsProcessed).toBe(0);
  });

  it('are null in segments written with null handling on', async () => {
    const query = evolvedEngine(nullable);
    expect((await query('SELECT count(*) FROM events WHERE region IS NULL')).resultTable!.rows).toEqual([[25]]);
    expect((await query('SELECT count(*) FROM events WHERE score IS NOT NULL')).resultTable!.rows).toEqual([[0]]);
  });
});

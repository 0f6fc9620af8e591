import { describe, expect, it } from 'vitest';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { withDuckTable } from './duck-table.js';

/**
 * ARRAY_AGG, LISTAGG and HISTOGRAM (issue 15, item 6) on real segments (three sealed, one
 * consuming), checked against DuckDB over the same rows. Element order is the order rows are
 * read, which Pinot does not define either: lists are compared sorted.
 */
const SCHEMA: PinotSchema = {
  schemaName: 'coll',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'country', dataType: 'STRING' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
  ],
  metricFieldSpecs: [
    { name: 'clicks', dataType: 'INT' },
    { name: 'amount', dataType: 'DOUBLE' },
  ],
};
const COUNTRIES = ['NL', 'DE', 'US', 'FR', 'BE'];
const N = 70;
const ROWS = Array.from({ length: N }, (_, i) => ({
  id: i,
  country: COUNTRIES[(i * 3) % 5]!,
  tags: i % 4 === 0 ? ['x', 'y'] : [`t${i % 3}`],
  clicks: (i * i) % 9,
  amount: ((i * 37) % 101) - 10.5,
}));

const fx = withDuckTable({
  schema: SCHEMA,
  cells: ROWS.map((r) => [BigInt(r.id), r.country, r.tags, r.clicks, r.amount]),
  segmentRows: 20,
  duckSql: [
    'CREATE TABLE coll (id BIGINT, country VARCHAR, tags VARCHAR[], clicks INTEGER, amount DOUBLE)',
    `INSERT INTO coll VALUES ${ROWS.map((r) => `(${r.id}, '${r.country}', [${r.tags.map((t) => `'${t}'`).join(', ')}], ${r.clicks}, ${r.amount})`).join(', ')}`,
  ],
});
const { ours, reference } = fx;

const sorted = (v: unknown): unknown[] => [...(v as unknown[])].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));

describe('collection aggregations, on sealed and consuming segments', () => {
  it('spans sealed and consuming segments', async () => {
    const r = await fx.query('SELECT count(*) FROM coll');
    expect([r.numSegmentsQueried, r.numConsumingSegmentsQueried]).toEqual([4, 1]);
  });

  it("ARRAY_AGG(x, 'TYPE'[, isDistinct]) answers <TYPE>_ARRAY: every value, or the distinct ones", async () => {
    const got = await ours("SELECT country, ARRAY_AGG(clicks, 'INT'), arrayAgg(clicks, 'INT', true), ARRAY_AGG(amount, 'DOUBLE'), ARRAY_AGG(country, 'STRING', 'DISTINCT') FROM coll GROUP BY country ORDER BY country LIMIT 10");
    expect(got.types).toEqual(['STRING', 'INT_ARRAY', 'INT_ARRAY', 'DOUBLE_ARRAY', 'STRING_ARRAY']);
    expect(got.names[1]).toBe("arrayagg(clicks,'INT')");
    const ref = await reference('SELECT country, list(clicks), list(DISTINCT clicks), list(amount), list(DISTINCT country) FROM coll GROUP BY country ORDER BY country');
    expect(got.rows.map((r) => [r[0], ...r.slice(1).map(sorted)])).toEqual(ref.map((r) => [r[0], ...r.slice(1).map(sorted)]));
    // Without GROUP BY, and with a filter that matches nothing: an empty array.
    const all = await ours("SELECT ARRAY_AGG(id, 'LONG') FROM coll");
    expect(all.types).toEqual(['LONG_ARRAY']);
    expect(sorted(all.rows[0]![0]).length).toBe(N);
    expect((await ours("SELECT ARRAY_AGG(id, 'LONG') FROM coll WHERE id < 0")).rows).toEqual([[[]]]);
  });

  it('ARRAY_AGG of a multi-value column flattens the values', async () => {
    const got = await ours("SELECT country, ARRAY_AGG(tags, 'STRING', true) FROM coll GROUP BY country ORDER BY country LIMIT 10");
    const ref = await reference('SELECT country, list(DISTINCT t) FROM (SELECT country, unnest(tags) AS t FROM coll) GROUP BY country ORDER BY country');
    expect(got.rows.map((r) => [r[0], sorted(r[1])])).toEqual(ref.map((r) => [r[0], sorted(r[1])]));
  });

  it('ARRAY_AGG converts to the named type; a bad type is a 200 naming it', async () => {
    const got = await ours("SELECT ARRAY_AGG(clicks, 'STRING', true) FROM coll WHERE id < 4");
    expect(got.types).toEqual(['STRING_ARRAY']);
    expect(sorted(got.rows[0]![0])).toEqual(['0', '1', '4']);
    const bad = await fx.query("SELECT ARRAY_AGG(clicks, 'MAP') FROM coll");
    expect(bad.exceptions[0]!.errorCode).toBe(200);
    expect(bad.exceptions[0]!.message).toContain('data type (argument 2)');
    expect((await fx.query('SELECT ARRAY_AGG(clicks) FROM coll')).exceptions[0]!.message).toContain('expects 2 to 3 argument(s)');
  });

  it('LISTAGG(x[, sep]) and LISTAGG(DISTINCT x, sep) answer STRING; an empty group answers null', async () => {
    const got = await ours("SELECT clicks, LISTAGG(country, '|'), LISTAGG(DISTINCT country, ', '), LISTAGG(id) FROM coll GROUP BY clicks ORDER BY clicks LIMIT 20");
    expect(got.types).toEqual(['INT', 'STRING', 'STRING', 'STRING']);
    const ref = await reference("SELECT clicks, string_agg(country, '|'), string_agg(DISTINCT country, ', '), string_agg(id::VARCHAR, ',') FROM coll GROUP BY clicks ORDER BY clicks");
    const split = (r: unknown[]): unknown[] => [r[0], sorted(String(r[1]).split('|')), sorted(String(r[2]).split(', ')), sorted(String(r[3]).split(','))];
    expect(got.rows.map(split)).toEqual(ref.map(split));
    expect((await ours("SELECT LISTAGG(country, ',') FROM coll WHERE id < 0")).rows).toEqual([[null]]);
  });

  it('HISTOGRAM(x, lower, upper, numBins): counts in [a, b) bins, the last closed, as DOUBLE_ARRAY', async () => {
    const got = await ours('SELECT country, HISTOGRAM(amount, -10, 80, 9) FROM coll GROUP BY country ORDER BY country LIMIT 10');
    expect(got.types).toEqual(['STRING', 'DOUBLE_ARRAY']);
    const bins = Array.from({ length: 9 }, (_, i) => {
      const lo = -10 + i * 10;
      return `count(*) FILTER (WHERE amount >= ${lo} AND amount ${i === 8 ? '<=' : '<'} ${lo + 10})::DOUBLE`;
    });
    const ref = await reference(`SELECT country, ${bins.join(', ')} FROM coll GROUP BY country ORDER BY country`);
    expect(got.rows).toEqual(ref.map((r) => [r[0], r.slice(1)]));
  });

  it("HISTOGRAM(x, ARRAY[edges]) with '-Infinity' as Pinot's docs write it", async () => {
    const got = await ours("SELECT HISTOGRAM(amount, ARRAY['-Infinity', 0, 10.5, 50, 100]) FROM coll");
    const ref = await reference(
      'SELECT count(*) FILTER (WHERE amount < 0)::DOUBLE, count(*) FILTER (WHERE amount >= 0 AND amount < 10.5)::DOUBLE, count(*) FILTER (WHERE amount >= 10.5 AND amount < 50)::DOUBLE, count(*) FILTER (WHERE amount >= 50 AND amount <= 100)::DOUBLE FROM coll',
    );
    expect(got.rows).toEqual([[ref[0]]]);
    for (const [sql, text] of [
      ['SELECT HISTOGRAM(amount, 10, 0, 5) FROM coll', 'greater than lower'],
      ['SELECT HISTOGRAM(amount, ARRAY[1, 1, 2]) FROM coll', 'increase strictly'],
      ['SELECT HISTOGRAM(country, 0, 1, 2) FROM coll', 'must be a single-value number'],
      ['SELECT HISTOGRAM(amount, 0, 1, 0) FROM coll', 'numBins'],
    ] as const) {
      const r = await fx.query(sql);
      expect(r.exceptions[0]?.errorCode, sql).toBe(200);
      expect(r.exceptions[0]!.message).toContain(text);
    }
  });

  it('collection aggregations take FILTER (WHERE …) and mix with other aggregations', async () => {
    const got = await ours("SELECT country, count(*), LISTAGG(DISTINCT clicks, '') FILTER (WHERE clicks > 100), HISTOGRAM(clicks, 0, 9, 3) FILTER (WHERE id < 35) FROM coll GROUP BY country ORDER BY country LIMIT 10");
    const ref = await reference(
      'SELECT country, count(*), count(*) FILTER (WHERE id < 35 AND clicks < 3)::DOUBLE, count(*) FILTER (WHERE id < 35 AND clicks >= 3 AND clicks < 6)::DOUBLE, count(*) FILTER (WHERE id < 35 AND clicks >= 6)::DOUBLE FROM coll GROUP BY country ORDER BY country',
    );
    expect(got.rows).toEqual(ref.map((r) => [r[0], r[1], null, r.slice(2)]));
  });
});

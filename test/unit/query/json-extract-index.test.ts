import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../src/config/data-type.js';
import type { PinotSchema } from '../../../src/config/schema.js';
import { buildFixture } from './query-fixtures.js';
import type { QueryFixture } from './query-fixtures.js';

/** JSON_EXTRACT_INDEX on sealed segments with a JSON index (and a consuming one) against JSON_EXTRACT_SCALAR on the same data. */
const SCHEMA: PinotSchema = { schemaName: 'docs', dimensionFieldSpecs: [{ name: 'id', dataType: 'INT' }, { name: 'payload', dataType: 'JSON' }] };

function rows(n: number): (CellValue | null)[][] {
  let seed = 3;
  const next = (m: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 4) % m;
  };
  const words = ['x', 'y', 'us', 'ca'];
  return Array.from({ length: n }, (_, i) => {
    if (i % 23 === 5) return [i, null];
    const doc: Record<string, unknown> = { name: words[next(4)], n: next(1000) - 200, score: next(400) / 8, flag: next(2) === 1 };
    if (next(5) > 0) doc.geo = { country: words[next(4)], zip: next(90000) };
    doc.items = Array.from({ length: 1 + next(3) }, () => ({ k: words[next(4)], v: next(50) }));
    if (next(4) === 0) doc.tags = ['a', 'b'];
    return [i, JSON.stringify(doc)];
  });
}

/** Paths every doc of the data has (where it is not null), as SQL pairs of the index form and the scalar form. */
const SAME = [
  ["JSON_EXTRACT_INDEX(payload, '$.name', 'STRING', 'none')", "JSON_EXTRACT_SCALAR(payload, '$.name', 'STRING', 'none')"],
  ["JSON_EXTRACT_INDEX(payload, '$.n', 'LONG', -1)", "JSON_EXTRACT_SCALAR(payload, '$.n', 'LONG', -1)"],
  ["JSON_EXTRACT_INDEX(payload, '$.n', 'INT', 0)", "JSON_EXTRACT_SCALAR(payload, '$.n', 'INT', 0)"],
  ["JSON_EXTRACT_INDEX(payload, '$.score', 'DOUBLE', 0)", "JSON_EXTRACT_SCALAR(payload, '$.score', 'DOUBLE', 0)"],
  ["JSON_EXTRACT_INDEX(payload, '$.geo.country', 'STRING', 'nowhere')", "JSON_EXTRACT_SCALAR(payload, '$.geo.country', 'STRING', 'nowhere')"],
  ["JSON_EXTRACT_INDEX(payload, '$.geo.zip', 'LONG', 0)", "JSON_EXTRACT_SCALAR(payload, '$.geo.zip', 'LONG', 0)"],
  ["JSON_EXTRACT_INDEX(payload, '$.items[1].k', 'STRING', '-')", "JSON_EXTRACT_SCALAR(payload, '$.items[1].k', 'STRING', '-')"],
  ["JSON_EXTRACT_INDEX(payload, '$.flag', 'STRING', '-')", "JSON_EXTRACT_SCALAR(payload, '$.flag', 'STRING', '-')"],
];

describe('JSON_EXTRACT_INDEX', () => {
  let indexed: QueryFixture;
  let plain: QueryFixture;
  const data = rows(700);
  beforeAll(async () => {
    indexed = await buildFixture(SCHEMA, data, { segmentRows: 200, indexing: { jsonIndexColumns: ['payload'] } });
    plain = await buildFixture(SCHEMA, data, { segmentRows: 200 });
  });
  afterAll(async () => {
    await indexed?.cleanup();
    await plain?.cleanup();
  });

  it('answers as JSON_EXTRACT_SCALAR in selections, filters, group-bys and aggregations (sealed and consuming)', async () => {
    expect(indexed.consuming.length).toBe(1);
    for (const [index, scalar] of SAME) {
      for (const shape of [
        (x: string) => `SELECT id, ${x} FROM docs ORDER BY id LIMIT 1000`,
        (x: string) => `SELECT ${x}, COUNT(*) FROM docs GROUP BY ${x} ORDER BY 2 DESC, 1 LIMIT 50`,
        (x: string) => `SELECT COUNT(*), MAX(id) FROM docs WHERE CAST(${x} AS STRING) IN ('x', 'us', '7', 'true', '3.5') OR id < 3`,
      ]) {
        const a = await indexed.query(shape(index!));
        const b = await indexed.query(shape(scalar!));
        expect(a.exceptions, shape(index!)).toEqual([]);
        expect(a.resultTable!.rows, shape(index!)).toEqual(b.resultTable!.rows);
      }
    }
    const sum = await indexed.query("SELECT SUM(JSON_EXTRACT_INDEX(payload, '$.geo.zip', 'LONG', 0)) FROM docs");
    const ref = await plain.query("SELECT SUM(JSON_EXTRACT_SCALAR(payload, '$.geo.zip', 'LONG', 0)) FROM docs");
    expect(sum.resultTable!.rows).toEqual(ref.resultTable!.rows);
  });

  it('takes a JSON_MATCH filter on the flattened records (Pinot 5th argument)', async () => {
    const a = await indexed.query("SELECT id, JSON_EXTRACT_INDEX(payload, '$.items[*].v', 'INT', -1, '\"$.items[*].k\" = ''us''') FROM docs ORDER BY id LIMIT 1000");
    expect(a.exceptions).toEqual([]);
    const got = new Map(a.resultTable!.rows.map((r) => [r[0], r[1]]));
    for (const [id, text] of data) {
      const items = text === null ? [] : (JSON.parse(text as string) as { items: { k: string; v: number }[] }).items;
      expect(got.get(id), String(id)).toBe(items.find((x) => x.k === 'us')?.v ?? -1);
    }
  });

  it('fails clearly without a JSON index, on paths a doc lacks with no default, and on unsupported forms', async () => {
    const none = await plain.query("SELECT JSON_EXTRACT_INDEX(payload, '$.name', 'STRING', 'x') FROM docs");
    expect(JSON.stringify(none.exceptions)).toMatch(/jsonExtractIndex can only be applied on a column with a JSON index: column payload has none in segment docs__0__0/);
    const missing = await indexed.query("SELECT JSON_EXTRACT_INDEX(payload, '$.tags[0]', 'STRING') FROM docs ORDER BY id LIMIT 1000");
    expect(JSON.stringify(missing.exceptions)).toMatch(/Illegal Json Path: \[\$\.tags\[0\]\], for docId \[\d+\]/);
    const arr = await indexed.query("SELECT JSON_EXTRACT_INDEX(payload, '$.tags', 'STRING_ARRAY') FROM docs");
    expect(JSON.stringify(arr.exceptions)).toMatch(/result type STRING_ARRAY is not supported/);
  });
});

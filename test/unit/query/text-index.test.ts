import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../src/config/data-type.js';
import type { PinotSchema } from '../../../src/config/schema.js';
import { openSegment } from '../../../src/segment/index.js';
import { buildFixture } from './query-fixtures.js';
import type { QueryFixture } from './query-fixtures.js';

const SCHEMA: PinotSchema = {
  schemaName: 'docs',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'body', dataType: 'STRING' },
    { name: 'note', dataType: 'JSON' },
  ],
};

const WORDS = ['java', 'golang', 'rust', 'c++', 'distributed', 'systems', 'Realtime', 'OLAP', 'kinesis', 'stream', 'query', 'engine', 'Pinot', 'go', 'gopher', 'Lucene', 'index', 'null'];

/** Deterministic sentences of 0-9 words (row 7k: null), some with punctuation and case. */
function rows(n: number): (CellValue | null)[][] {
  let seed = 17;
  const next = (m: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % m;
  };
  return Array.from({ length: n }, (_, i) => {
    const words = Array.from({ length: next(10) }, () => WORDS[next(WORDS.length)]!);
    const body = i % 7 === 0 ? null : words.join(next(3) === 0 ? ', ' : ' ') + (next(4) === 0 ? '.' : '');
    return [BigInt(i), body, JSON.stringify({ text: words.slice(0, 3).join(' ') })];
  });
}

const QUERIES = [
  'java',
  'JAVA',
  'java AND rust',
  'java OR rust',
  'java rust',
  'NOT java',
  'java AND NOT rust',
  '(java OR golang) AND (systems OR stream)',
  '"distributed systems"',
  '"realtime olap" OR "query engine"',
  '"go gopher go"',
  'go*',
  'g?lang',
  '*ust',
  '/go(lang|pher)/',
  'c',
  'c++',
  'null',
  'nothingmatches',
  '"nothing matches"',
  'NOT (java OR rust OR go)',
];

/** The same TEXT_MATCH queries with and without a text index (sealed segments; the last consuming). */
describe('text index', () => {
  let indexed: QueryFixture;
  let plain: QueryFixture;
  const data = rows(700);
  beforeAll(async () => {
    indexed = await buildFixture(SCHEMA, data, { segmentRows: 150, indexing: { textIndexColumns: ['body', 'note'], nullHandlingEnabled: true, noDictionaryColumns: ['note'] } });
    plain = await buildFixture(SCHEMA, data, { segmentRows: 150, indexing: { nullHandlingEnabled: true, noDictionaryColumns: ['note'] } });
  });
  afterAll(async () => {
    await indexed?.cleanup();
    await plain?.cleanup();
  });

  it('is built on the sealed segments, read back with its checksum, and shown by verify', async () => {
    expect(indexed.sealed.map((s) => s.column('body').textIndex !== null)).toEqual([true, true, true, true]);
    expect(indexed.sealed[0]!.column('id').textIndex).toBeNull();
    expect(plain.sealed[0]!.column('body').textIndex).toBeNull();
    expect(plain.sealed[0]!.footer.columns[1]).not.toHaveProperty('textIndex');
    const disk = await openSegment(indexed.sealed[0]!.path);
    expect(disk.verify().textIndexes).toBe(2);
    expect(disk.footer.indexing.textIndexColumns).toEqual(['body', 'note']);
    expect(disk.metadata.columns.find((c) => c.name === 'body')).toMatchObject({ hasTextIndex: true });
    disk.close();
  });

  it('answers TEXT_MATCH exactly as a scan does: terms, case, AND/OR/NOT, phrases, prefix, wildcard, regex, nulls', async () => {
    for (const q of QUERIES) {
      for (const col of ['body', 'note']) {
        const sql = `SELECT id FROM docs WHERE TEXT_MATCH(${col}, '${q}') ORDER BY id LIMIT 1000`;
        const a = await indexed.query(sql);
        const b = await plain.query(sql);
        expect(a.exceptions, sql).toEqual([]);
        expect(a.resultTable!.rows, sql).toEqual(b.resultTable!.rows);
        expect(a.numDocsScanned, sql).toBe(b.numDocsScanned);
      }
    }
    const combined = "SELECT COUNT(*) FROM docs WHERE TEXT_MATCH(body, 'java') AND id > 300 OR TEXT_MATCH(note, '\"stream query\"')";
    expect((await indexed.query(combined)).resultTable!.rows).toEqual((await plain.query(combined)).resultTable!.rows);
    const some = await plain.query("SELECT COUNT(*) FROM docs WHERE TEXT_MATCH(body, 'java')");
    expect(Number(some.resultTable!.rows[0]![0])).toBeGreaterThan(50);
  });

  it('reads no entries for terms on indexed segments, only phrase candidates, and says so in EXPLAIN', async () => {
    const a = await indexed.query("SELECT COUNT(*) FROM docs WHERE TEXT_MATCH(body, 'java OR go*')");
    const b = await plain.query("SELECT COUNT(*) FROM docs WHERE TEXT_MATCH(body, 'java OR go*')");
    expect(a.resultTable!.rows).toEqual(b.resultTable!.rows);
    expect(a.numEntriesScannedInFilter).toBe(100); // the consuming segment's rows only
    expect(b.numEntriesScannedInFilter).toBe(700);
    const phrase = await indexed.query("SELECT COUNT(*) FROM docs WHERE TEXT_MATCH(body, '\"distributed systems\"')");
    expect(Number(phrase.resultTable!.rows[0]![0])).toBeGreaterThan(0);
    expect(phrase.numEntriesScannedInFilter).toBeGreaterThan(100);
    expect(phrase.numEntriesScannedInFilter).toBeLessThan(700);
    const plan = await indexed.query("EXPLAIN PLAN FOR SELECT id FROM docs WHERE TEXT_MATCH(body, 'java')");
    expect(JSON.stringify(plan.resultTable!.rows)).toContain('FILTER_TEXT_INDEX(indexLookUp:text_index');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue, ScalarValue } from '../../../../src/config/data-type.js';
import { buildTableSchema } from '../../../../src/config/schema.js';
import type { IndexingConfig } from '../../../../src/config/table-config.js';
import { columnReader } from '../../../../src/query/exec/compile-expr.js';
import type { ColumnBlock } from '../../../../src/query/exec/segment-snapshot.js';
import { consumingSnapshot, QueryEngine, sealedSnapshot, writeBrokerResponse } from '../../../../src/query/index.js';
import type { SegmentSnapshot } from '../../../../src/query/index.js';
import { ConsumingSegment, openSegment, sealSegment } from '../../../../src/segment/index.js';
import type { Dictionary, SealedSegment } from '../../../../src/segment/index.js';
import { tempDir } from '../../segment/fixtures.js';

/**
 * A paged dictionary (format 3: large dictionaries, read a page at a time) is read value by value
 * where a row expression, a selection, a filter testing every value or DISTINCTCOUNT reads it:
 * never as an array of all its values, which would stay on the heap beside its pages for as long
 * as the dictionary is cached (a top-k selection's ten rows of a LONG column at 10M rows kept
 * 713k bigints, 23 MiB). The answers must be those of the same rows sealed unpaged and still
 * consuming.
 */

/** A sorted dictionary of `size` LONG values `1000 + id`, counting its reads. */
function countingDictionary(size: number, paged: boolean): Dictionary & { reads: number } {
  const d = {
    size,
    sorted: true,
    paged,
    reads: 0,
    get(id: number): ScalarValue {
      d.reads++;
      return BigInt(1000 + id);
    },
    indexOf: (v: ScalarValue) => Number(v) - 1000,
  };
  return d;
}

function block(dict: Dictionary, dictIds: Int32Array, offsets: number[] | null): ColumnBlock {
  return { spec: { name: 'k', dataType: 'LONG', singleValue: offsets === null, fieldType: 'DIMENSION' } as ColumnBlock['spec'], dictionary: dict, dictIds, values: null, offsets, nulls: null };
}

describe('columnReader over a paged dictionary', () => {
  it('reads only the values of the rows read (single- and multi-value)', () => {
    const dict = countingDictionary(200_000, true);
    const read = columnReader(block(dict, Int32Array.from([5, 199_999, 42]), null));
    expect(dict.reads).toBe(0);
    expect([read(0), read(1), read(2)]).toEqual([1005n, 200_999n, 1042n]);
    expect(dict.reads).toBe(3);
    const mv = countingDictionary(200_000, true);
    const readMv = columnReader(block(mv, Int32Array.from([7, 8, 150_000]), [0, 2, 2, 3]));
    expect([readMv(0), readMv(1), readMv(2)]).toEqual([[1007n, 1008n], [], [151_000n]]);
    expect(mv.reads).toBe(3);
  });

  it('still makes one array of an unpaged dictionary, read once for every row after', () => {
    const dict = countingDictionary(1000, false);
    const read = columnReader(block(dict, Int32Array.from([1, 2, 1]), null));
    expect(dict.reads).toBe(1000);
    expect([read(0), read(1), read(2)]).toEqual([1001n, 1002n, 1001n]);
    expect(dict.reads).toBe(1000);
  });
});

const N = 40_000;
const SCHEMA = buildTableSchema({
  schemaName: 't',
  dimensionFieldSpecs: [
    { name: 'u', dataType: 'LONG' },
    { name: 's', dataType: 'STRING' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
  ],
  metricFieldSpecs: [{ name: 'x', dataType: 'INT' }],
});
const INDEXING: IndexingConfig = { invertedIndexColumns: ['u'], noDictionaryColumns: ['x'], nullHandlingEnabled: false };

function row(i: number): CellValue[] {
  const k = (i * 7919) % 35_000;
  return [5_000_000_000n + BigInt(k), `name-${String(k).padStart(6, '0')}-${'x'.repeat(k % 4)}`, [`t${k % 31_000}`, `t${(k * 3) % 31_000}`], (i * 104_729) % 100_003];
}

function consuming(name: string): ConsumingSegment {
  const seg = new ConsumingSegment({ identity: { tableName: name, segmentName: `${name}__0__0__20240101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' }, schema: SCHEMA, indexing: INDEXING, createdAtMs: 1_700_000_000_000 });
  for (let i = 0; i < N; i++) seg.index(row(i), String(i + 1), 1_700_000_000_000);
  return seg;
}

describe('queries reading every kind of value of paged dictionaries', () => {
  let cleanup: () => Promise<void>;
  let paged: SealedSegment;
  let whole: SealedSegment;
  let engine: QueryEngine;
  beforeAll(async () => {
    const made = await tempDir();
    cleanup = made.cleanup;
    const seal = async (name: string, pagedLayout: boolean): Promise<SealedSegment> => openSegment((await sealSegment(consuming(name), { tableDir: made.dir, endOfShard: false, builder: 'inline', pagedLayout })).path, { verifyChecksum: false });
    paged = await seal('paged', true);
    whole = await seal('whole', false);
    const live = consuming('live');
    const snapshots: Record<string, () => SegmentSnapshot> = { paged: () => sealedSnapshot(paged), whole: () => sealedSnapshot(whole), live: () => consumingSnapshot(live) };
    engine = new QueryEngine({ resolve: (n) => (snapshots[n] ? { name: n, schema: SCHEMA, snapshot: () => [snapshots[n]!()] } : undefined) }, { parallel: null });
  }, 120_000);
  afterAll(async () => {
    paged.close();
    whole.close();
    await cleanup();
  });

  it('pages the dictionaries of u, s and tags', () => {
    for (const name of ['u', 's', 'tags']) expect(paged.column(name).dictionary!.paged, name).toBe(true);
    expect(whole.column('s').dictionary!.paged).toBeUndefined();
  });

  const queries = [
    // A top-k selection and a row expression read a few rows' values.
    'SELECT u, s, tags, x FROM T ORDER BY x DESC, u LIMIT 12',
    "SELECT UPPER(s), u + 1 FROM T WHERE x > 99990 ORDER BY u LIMIT 20",
    // A predicate tested on every value of the dictionary (not a prefix: no id range).
    "SELECT count(*), min(x) FROM T WHERE s LIKE '%7-xx'",
    "SELECT count(*) FROM T WHERE REGEXP_LIKE(s, '^name-0(12|34)')",
    // Every value's distinct set.
    'SELECT DISTINCTCOUNT(s), DISTINCTCOUNT(u), DISTINCTCOUNTMV(tags) FROM T',
    'SELECT MODE(u), MIN(u), MAX(u) FROM T',
  ];
  for (const sql of queries) {
    it(`answers ${sql} as the unpaged and consuming segments do`, async () => {
      const answer = async (table: string): Promise<unknown> => {
        const r = JSON.parse(writeBrokerResponse(await engine.query(sql.replace('FROM T', `FROM ${table}`)))) as { exceptions: unknown[]; resultTable?: { rows: unknown[][] } };
        expect(r.exceptions, table).toEqual([]);
        return r.resultTable!.rows;
      };
      const want = await answer('live');
      expect((want as unknown[]).length).toBeGreaterThan(0);
      expect(await answer('paged')).toEqual(want);
      expect(await answer('whole')).toEqual(want);
    });
  }
});

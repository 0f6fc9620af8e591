import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TopK } from '../../../../src/query/exec/order.js';
import { SelectionCollector } from '../../../../src/query/exec/selection.js';
import { buildFixture } from '../query-fixtures.js';
import type { QueryFixture } from '../query-fixtures.js';

describe('TopK', () => {
  it('keeps the k best, ties in the order offered, and fewer when fewer arrive', () => {
    const top = new TopK<[number, string]>(3, (a, b) => a[0] - b[0]);
    for (const item of [[5, 'a'], [1, 'b'], [3, 'c'], [1, 'd'], [3, 'e'], [0, 'f']] as [number, string][]) top.offer(item);
    expect(top.sorted().map((x) => x[1])).toEqual(['f', 'b', 'd']);
    expect(top.worst()![1]).toBe('d');
    const big = new TopK<number>(10, (a, b) => a - b);
    [3, 1, 2].forEach((x) => big.offer(x));
    expect(big.sorted()).toEqual([1, 2, 3]);
    const none = new TopK<number>(0, (a, b) => a - b);
    none.offer(1);
    expect(none.sorted()).toEqual([]);
    expect(none.wouldAccept(0)).toBe(false);
  });
});

// 3 x 20,000 rows: two sealed segments of two blocks each and a consuming one. `amount` falls
// with the row number (so later sealed blocks are skipped by their max once the top-k is full)
// in steps of 100 rows (so ORDER BY ties are common); one late row jumps to the top.
const N = 60_000;
const amountOf = (i: number): number => Math.floor((N - i) / 100) / 10 + (i === 41_234 ? 500 : 0);
const rowOf = (i: number): (number | bigint | null)[] => [i, amountOf(i), BigInt(1_000_000 - (i % 977))];

describe('selection ORDER BY … LIMIT (bounded heap, block skipping)', () => {
  let f: QueryFixture;
  beforeAll(async () => {
    f = await buildFixture(
      { schemaName: 'sales', dimensionFieldSpecs: [{ name: 'id', dataType: 'INT' }, { name: 'ts', dataType: 'LONG' }], metricFieldSpecs: [{ name: 'amount', dataType: 'DOUBLE' }] },
      Array.from({ length: N }, (_, i) => {
        const [id, amount, ts] = rowOf(i);
        return [id, ts, amount];
      }),
      { segmentRows: 20_000, indexing: { noDictionaryColumns: ['amount', 'id'] } },
    );
  });
  afterAll(() => f.cleanup());

  /** Brute force: stable sort of all rows (segment order, then doc order) by the keys. */
  const expectedRows = (cmp: (a: number, b: number) => number, offset: number, limit: number, where: (i: number) => boolean = () => true): unknown[][] =>
    Array.from({ length: N }, (_, i) => i)
      .filter(where)
      .sort((a, b) => cmp(a, b) || a - b)
      .slice(offset, offset + limit)
      .map((i) => [i, amountOf(i)]);
  const tsOf = (i: number): number => 1_000_000 - (i % 977);

  it('returns the best rows, breaking ties by the next key, and counts every row as scanned', async () => {
    const skip = vi.spyOn(SelectionCollector.prototype, 'blockCannotImprove');
    const r = await f.query('SELECT id, amount FROM sales ORDER BY amount DESC, ts LIMIT 10');
    expect(skip.mock.results.some((x) => x.value === true)).toBe(true); // sealed blocks skipped by max
    skip.mockRestore();
    expect(r.exceptions).toEqual([]);
    expect(r.resultTable!.rows).toEqual(expectedRows((a, b) => amountOf(b) - amountOf(a) || tsOf(a) - tsOf(b), 0, 10));
    expect(r.resultTable!.rows[0]).toEqual([41_234, amountOf(41_234)]);
    expect(r).toMatchObject({ numDocsScanned: N, totalDocs: N, numSegmentsMatched: 3, numEntriesScannedPostFilter: 3 * N });
  });

  it('keeps rows that tie on every key in scan order, and applies OFFSET', async () => {
    const r = await f.query('SELECT id, amount FROM sales ORDER BY amount LIMIT 7 OFFSET 5');
    expect(r.resultTable!.rows).toEqual(expectedRows((a, b) => amountOf(a) - amountOf(b), 5, 7));
    const asc = await f.query('SELECT id, amount FROM sales ORDER BY amount, id DESC LIMIT 4');
    expect(asc.resultTable!.rows).toEqual(expectedRows((a, b) => amountOf(a) - amountOf(b) || b - a, 0, 4));
  });

  it('returns every matching row when LIMIT exceeds them', async () => {
    const r = await f.query('SELECT id, amount FROM sales WHERE id < 12 ORDER BY amount DESC, id LIMIT 100');
    expect(r.resultTable!.rows).toEqual(expectedRows((a, b) => amountOf(b) - amountOf(a), 0, 100, (i) => i < 12));
    expect(r.numDocsScanned).toBe(12);
  });

  it('orders by an expression and by a dictionary column', async () => {
    const r = await f.query('SELECT id, amount FROM sales ORDER BY amount * -1, id LIMIT 3');
    expect(r.resultTable!.rows).toEqual(expectedRows((a, b) => amountOf(b) - amountOf(a) || a - b, 0, 3));
    const byTs = await f.query('SELECT id, amount FROM sales ORDER BY ts DESC, id LIMIT 3');
    expect(byTs.resultTable!.rows).toEqual(expectedRows((a, b) => tsOf(b) - tsOf(a) || a - b, 0, 3));
  });
});

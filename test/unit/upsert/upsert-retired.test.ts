import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DedupKeys } from '../../../src/upsert/index.js';
import { tempDir } from '../segment/fixtures.js';
import { fullSettings, UpsertHarness, upsertSchema } from './upsert-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

/** The table drops a sealed segment (DELETE or retention) and tells the key map, in one step. */
function drop(h: UpsertHarness, name: string): void {
  h.sealed = h.sealed.filter((s) => s.name !== name);
  h.keyMap.retired([name]);
}

describe('segments deleted or dropped by retention (Pinot removeSegment)', () => {
  it('a key whose live row was in the segment leaves the map; its older rows elsewhere stay not live', async () => {
    const h = new UpsertHarness(dir, fullSettings({ deleteRecordColumn: 'deleted' }));
    h.put(0, { k: 'a', ts: 1n, clicks: 1n, note: 'old a' });
    h.put(0, { k: 'b', ts: 1n, clicks: 2n, note: 'b' });
    h.put(0, { k: 'd', ts: 1n, clicks: 3n, note: 'old d' });
    await h.seal(0);
    const first = h.sealed[0]!.name;
    h.put(0, { k: 'a', ts: 5n, clicks: 4n, note: 'new a' });
    h.put(0, { k: 'c', ts: 5n, clicks: 5n, note: 'c' });
    h.put(0, { k: 'd', ts: 5n, deleted: true, note: 'd deleted' });
    await h.seal(0);
    const second = h.sealed[1]!.name;
    h.put(0, { k: 'c', ts: 9n, clicks: 6n, note: 'newer c' });
    expect(await h.query('SELECT k, note FROM kv ORDER BY k')).toEqual([['a', 'new a'], ['b', 'b'], ['c', 'newer c']]);
    expect(h.keyMap.counters).toMatchObject({ keys: 4, liveRows: 3, deletedKeys: 1 });

    drop(h, second);
    // a and d had their live rows in it: gone, not back to their first rows; c lives in the consuming segment.
    expect(await h.query('SELECT k, note FROM kv ORDER BY k')).toEqual([['b', 'b'], ['c', 'newer c']]);
    expect(await h.query('SELECT k, note FROM kv ORDER BY k', 'skipUpsertDelete=true')).toEqual([['b', 'b'], ['c', 'newer c']]);
    expect(h.keyMap.counters).toMatchObject({ keys: 2, liveRows: 2, deletedKeys: 0, keysRemovedWithSegments: 2 });
    expect(h.keyMap.liveCount(first)).toEqual({ valid: 1, queryable: 1 });
    expect(h.keyMap.liveCount(second)).toBeNull();

    // A later record of a starts it afresh, whatever its comparison value.
    h.put(0, { k: 'a', ts: 0n, clicks: 7n, note: 'late a' });
    expect(await h.query('SELECT k, note FROM kv ORDER BY k')).toEqual([['a', 'late a'], ['b', 'b'], ['c', 'newer c']]);
    await h.seal(0);
    expect(await h.query('SELECT k, note FROM kv ORDER BY k')).toEqual([['a', 'late a'], ['b', 'b'], ['c', 'newer c']]);
    drop(h, first);
    expect(await h.query('SELECT k, note FROM kv ORDER BY k')).toEqual([['a', 'late a'], ['c', 'newer c']]);
    expect(h.keyMap.counters).toMatchObject({ keys: 2, liveRows: 2, keysRemovedWithSegments: 3 });
  });

  it('PARTIAL: the next record of a removed key is not merged into the dropped row', async () => {
    const h = new UpsertHarness(dir, fullSettings({ mode: 'PARTIAL', partialUpsertStrategies: { clicks: 'INCREMENT' } }));
    h.put(0, { k: 'a', ts: 1n, clicks: 10n, note: 'x' });
    await h.seal(0);
    drop(h, h.sealed[0]!.name);
    h.put(0, { k: 'a', ts: 2n, clicks: 1n, note: 'y' });
    expect(await h.query('SELECT k, clicks FROM kv')).toEqual([['a', 1]]);
  });

  it('dedup: keys of the dropped segment are admitted again; a key whose row is in another segment is not', async () => {
    const h = new UpsertHarness(dir, fullSettings());
    const dedup = new DedupKeys(upsertSchema, { primaryKeyColumns: ['k'], metadataTTL: 0 });
    const put = (partition: number, k: string): boolean => {
      const seg = h.segment(partition);
      const admitted = dedup.admit([k, 0, null, null, null, null, 1n], seg);
      if (admitted === null) return false;
      seg.index(admitted, String(seg.numDocs), 0);
      dedup.commit();
      return true;
    };
    expect([put(0, 'a'), put(0, 'b'), put(1, 'c')]).toEqual([true, true, true]);
    await h.seal(0);
    const name = h.sealed[0]!.name;
    dedup.retired([name]);
    expect(dedup.counters).toMatchObject({ keys: 1, keysRemovedWithSegments: 2 });
    expect([put(1, 'a'), put(1, 'c'), put(1, 'b')]).toEqual([true, false, true]);
    // A rebuild from the files left knows the same keys.
    await h.seal(1);
    const again = new DedupKeys(upsertSchema, { primaryKeyColumns: ['k'], metadataTTL: 0 });
    again.rebuild(h.sealed.filter((s) => s.name !== name));
    expect(again.counters.keys).toBe(dedup.counters.keys);
  });
});

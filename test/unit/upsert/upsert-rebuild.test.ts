import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UpsertSettings } from '../../../src/config/upsert-config.js';
import type { IndexingConfig } from '../../../src/config/table-config.js';
import { FileCells } from '../../../src/upsert/file-cells.js';
import { mulberry32 } from '../../helpers/random.js';
import { tempDir } from '../segment/fixtures.js';
import { fullSettings, UpsertHarness } from './upsert-harness.js';
import type { Rec } from './upsert-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());


/** Updates, ties, out-of-order records, deletes and null clicks over `keys` keys. */
function records(n: number, keys: number, seed: number, nullClicks: boolean): Rec[] {
  const next = mulberry32(seed);
  const clock = new Map<string, number>();
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const k = `key${Math.floor(next() * keys)}`;
    const last = clock.get(k) ?? 100;
    const roll = next();
    const ts = roll < 0.15 ? last - 1 - Math.floor(next() * 5) : roll < 0.35 ? last : last + 1 + Math.floor(next() * 3);
    clock.set(k, Math.max(last, ts));
    out.push({ k, ts: BigInt(ts), deleted: next() < 0.08, clicks: next() < 0.2 && nullClicks ? null : BigInt(Math.floor(next() * 50)), note: `n${Math.floor(next() * 7)}` });
  }
  return out;
}

/** Keys stay in one partition (Pinot's requirement; ties across shards follow commit order). */
const partitionOf = (k: string): number => Number(k.slice(3)) % 2;

/**
 * Segments of 60,000 rows (three 16,384-doc blocks each, re-sorted by `note` at seal): the key
 * map rebuilt from the files alone equals the map the run had when it committed the last file —
 * every segment's live and queryable rows, the key and delete counts.
 */
async function expectRebuildEqualsRun(settings: UpsertSettings, indexing?: IndexingConfig, nullClicks = true): Promise<void> {
  const h = new UpsertHarness(dir, settings, indexing);
  const recs = records(120_000, 5000, 7, nullClicks);
  recs.forEach((r) => h.put(partitionOf(r.k), r));
  for (const p of [0, 1]) await h.seal(p);
  // Two more files per partition, so keys move between files and the commit order matters.
  recs.slice(0, 40_000).forEach((r, i) => h.put(partitionOf(r.k), { ...r, ts: r.ts + BigInt(i % 3) }));
  for (const p of [1, 0]) await h.seal(p);
  expect(h.sealed[0]!.numDocs).toBeGreaterThan(2 * 16384);
  const names = h.sealed.map((s) => s.name);
  const before = h.keyMap.freezeAll(names);
  const { keys, liveRows, deletedKeys } = h.keyMap.counters;
  await h.restart();
  const after = h.keyMap.freezeAll(names);
  for (const name of names) {
    expect(after.get(name)!.valid, name).toEqual(before.get(name)!.valid);
    expect(after.get(name)!.queryable, name).toEqual(before.get(name)!.queryable);
  }
  expect(h.keyMap.counters).toMatchObject({ keys, liveRows, deletedKeys });
}

describe('upsert rebuild read block by block', () => {
  it('dictionary-encoded columns, deletes, ties and out-of-order rows over several blocks', async () => {
    await expectRebuildEqualsRun(fullSettings({ deleteRecordColumn: 'deleted' }));
  });

  it('raw (no-dictionary) key, comparison and delete columns', async () => {
    await expectRebuildEqualsRun(fullSettings({ deleteRecordColumn: 'deleted' }), { sortedColumn: 'note', invertedIndexColumns: [], noDictionaryColumns: ['k', 'ts', 'deleted', 'clicks'], nullHandlingEnabled: true });
  });

  // The general path (several comparison columns, null cells) reads what `getValue` / `isNull` read.
  it('FileCells reads every cell of every column as getValue does, null cells as null when asked', async () => {
    for (const noDictionaryColumns of [[], ['k', 'ts', 'deleted', 'clicks', 'note']]) {
      const h = new UpsertHarness(dir, fullSettings(), { invertedIndexColumns: [], noDictionaryColumns, nullHandlingEnabled: true });
      records(40_000, 3000, 3, true).forEach((r) => h.put(0, r));
      await h.seal(0);
      const file = h.sealed[0]!;
      for (const name of ['k', 'ts', 'deleted', 'clicks', 'note']) {
        const reader = file.column(name);
        for (const nullable of [false, true]) {
          const cells = new FileCells(reader, nullable);
          const got: unknown[] = [];
          const want: unknown[] = [];
          for (let doc = 0; doc < file.numDocs; doc++) {
            got.push(cells.at(doc));
            want.push(nullable && reader.isNull(doc) ? null : reader.getValue(doc));
          }
          expect(got, `${name} nullable=${nullable}`).toEqual(want);
          if (name === 'clicks' && nullable) expect(got.filter((v) => v === null).length).toBeGreaterThan(1000);
        }
      }
      await cleanup();
      ({ dir, cleanup } = await tempDir());
    }
  });
});

describe('upsert rebuild with several comparison columns (the first non-null one of a record decides)', () => {
  const indexing = (nullHandlingEnabled: boolean): IndexingConfig => ({ sortedColumn: 'note', invertedIndexColumns: [], noDictionaryColumns: [], nullHandlingEnabled });

  it('a file re-sorted at seal: the rebuild makes the row live that the run made live', async () => {
    // Arrival A, B, C; the file holds B, C, A (sorted by note). Run: A new; B decides on ts (clicks
    // null) and wins (3 >= 1); C decides on clicks and loses (4 < 5): B is live. Applied in the
    // file's order instead, B, C (4 > null), A (5 >= 4) would leave A live.
    for (const nulls of [true, false]) {
      const h = new UpsertHarness(dir, fullSettings({ comparisonColumns: ['clicks', 'ts'] }), indexing(nulls));
      h.put(0, { k: 'x', clicks: 5n, ts: 1n, note: 'c' });
      h.put(0, { k: 'x', clicks: null, ts: 3n, note: 'a' });
      h.put(0, { k: 'x', clicks: 4n, ts: 1n, note: 'b' });
      expect(await h.query('SELECT note FROM kv')).toEqual([['a']]);
      await h.seal(0);
      expect(await h.query('SELECT note FROM kv')).toEqual([['a']]);
      await h.restart();
      expect(await h.query('SELECT note FROM kv'), `nullHandlingEnabled=${nulls}`).toEqual([['a']]);
      // The rebuilt map decides the next record as the run's would: clicks 5 >= 5 wins.
      h.put(0, { k: 'x', clicks: 5n, ts: 0n, note: 'd' });
      expect(await h.query('SELECT note FROM kv')).toEqual([['d']]);
      await cleanup();
      ({ dir, cleanup } = await tempDir());
    }
  });

  it('many keys, null cells, deletes, several re-sorted multi-block files: rebuild equals the run', async () => {
    await expectRebuildEqualsRun(fullSettings({ comparisonColumns: ['clicks', 'ts'], deleteRecordColumn: 'deleted' }));
  });

  it('the same without null handling (null cells are stored as the default value)', async () => {
    await expectRebuildEqualsRun(fullSettings({ comparisonColumns: ['clicks', 'ts'], deleteRecordColumn: 'deleted' }), indexing(false));
  });
});

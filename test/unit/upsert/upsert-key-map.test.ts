import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueryEngine, snapshotRuntime, writeBrokerResponse } from '../../../src/query/index.js';
import { mulberry32 } from '../../helpers/random.js';
import { tempDir } from '../segment/fixtures.js';
import { fullSettings, latestPerKey, UpsertHarness, upsertSchema } from './upsert-harness.js';
import type { Rec } from './upsert-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());


/** Inserts, updates, ties, out-of-order records and deletes over `keys` keys; clicks = record id. */
function records(n: number, keys: number, seed: number): Rec[] {
  const next = mulberry32(seed);
  const out: Rec[] = [];
  const clock = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = `key${Math.floor(next() * keys)}`;
    const last = clock.get(k) ?? 100;
    const roll = next();
    const ts = roll < 0.15 ? last - 1 - Math.floor(next() * 5) : roll < 0.3 ? last : last + 1 + Math.floor(next() * 3);
    clock.set(k, Math.max(last, ts));
    out.push({ k, ts: BigInt(ts), deleted: next() < 0.08, clicks: BigInt(i), note: `n${Math.floor(next() * 7)}` });
  }
  return out;
}

const partitionOf = (k: string): number => Number(k.slice(3)) % 3;

async function expectMatches(h: UpsertHarness, applied: readonly Rec[]): Promise<void> {
  const ref = latestPerKey(applied);
  const visible = [...ref.values()].filter((r) => !r.deleted);
  expect(await h.query('SELECT COUNT(*) FROM kv')).toEqual([[visible.length]]);
  expect(await h.query('SELECT COUNT(*) FROM kv', 'skipUpsertDelete=true')).toEqual([[ref.size]]);
  const rows = await h.query('SELECT k, ts, clicks FROM kv ORDER BY k LIMIT 100000');
  const want = visible.map((r) => [r.k, Number(r.ts), Number(r.clicks)]).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
  expect(rows).toEqual(want);
  // Filters and GROUP BY see the live rows only, too.
  const groups = new Map<string, number>();
  for (const r of visible) if (r.ts > 102n) groups.set(r.note!, (groups.get(r.note!) ?? 0) + 1);
  const wantGroups = [...groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([note, n]) => [note, n]);
  expect(await h.query('SELECT note, COUNT(*) FROM kv WHERE ts > 102 GROUP BY note ORDER BY note LIMIT 100')).toEqual(wantGroups);
}

describe('FULL upsert: one live row per key', () => {
  it('the live row of each key is its latest record by comparison value (ties to the later), deletes hide the key', async () => {
    const h = new UpsertHarness(dir, fullSettings({ deleteRecordColumn: 'deleted' }));
    const recs = records(3000, 400, 1);
    recs.forEach((r, i) => {
      h.put(partitionOf(r.k), r);
      if (i % 700 === 699) void 0;
    });
    await expectMatches(h, recs);
    expect(await h.query('SELECT COUNT(*) FROM kv', 'skipUpsert=true')).toEqual([[3000]]);
    expect(await h.query('SET skipUpsert = true; SELECT COUNT(*) FROM kv')).toEqual([[3000]]);
    const c = h.keyMap.counters;
    expect(c.keys).toBe(latestPerKey(recs).size);
    expect(c.outOfOrderKept).toBeGreaterThan(0);
  });

  it('sealing re-sorts rows by the sorted column and the key map follows them; a restart rebuilds the same answers', async () => {
    const h = new UpsertHarness(dir, fullSettings({ deleteRecordColumn: 'deleted' }));
    const recs = records(4000, 300, 2);
    const pending = new Map<number, Rec[]>();
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i]!;
      const p = partitionOf(r.k);
      h.put(p, r);
      pending.set(p, [...(pending.get(p) ?? []), r]);
      if (i % 450 === 449) {
        await h.seal(i % 3);
        pending.set(i % 3, []);
        await expectMatches(h, recs.slice(0, i + 1));
      }
      if (i === 2500) {
        // kill -9: consuming rows are gone; the stream gives them again, in order, after the rebuild.
        await h.restart();
        await expectMatches(h, recs.slice(0, i + 1).filter((x) => !(pending.get(partitionOf(x.k)) ?? []).includes(x)));
        for (const part of [0, 1, 2]) for (const x of pending.get(part) ?? []) h.put(part, x);
        await expectMatches(h, recs.slice(0, i + 1));
      }
    }
    await expectMatches(h, recs);
    for (const part of [0, 1, 2]) await h.seal(part);
    await h.restart();
    await expectMatches(h, recs);
  });

  it('dropOutOfOrderRecord drops older records; outOfOrderRecordColumn flags the kept ones', async () => {
    const drop = new UpsertHarness(dir, fullSettings({ dropOutOfOrderRecord: true }));
    drop.put(0, { k: 'a', ts: 10n, clicks: 1n });
    drop.put(0, { k: 'a', ts: 5n, clicks: 2n });
    drop.put(0, { k: 'a', ts: 10n, clicks: 3n });
    expect(await drop.query('SELECT clicks FROM kv')).toEqual([[3]]);
    expect(await drop.query('SELECT COUNT(*) FROM kv', 'skipUpsert=true')).toEqual([[2]]);
    expect(drop.keyMap.counters.outOfOrderDropped).toBe(1);
    const flag = new UpsertHarness(dir, fullSettings({ outOfOrderRecordColumn: 'late' }));
    flag.put(0, { k: 'a', ts: 10n, clicks: 1n });
    flag.put(0, { k: 'a', ts: 5n, clicks: 2n });
    expect(await flag.query('SELECT clicks, late FROM kv ORDER BY clicks', 'skipUpsert=true')).toEqual([[1, false], [2, true]]);
    expect(await flag.query('SELECT clicks FROM kv')).toEqual([[1]]);
    expect(flag.keyMap.counters.outOfOrderKept).toBe(1);
  });

  it('a delete hides a key until a newer record brings it back; skipUpsertDelete shows its last row', async () => {
    const h = new UpsertHarness(dir, fullSettings({ deleteRecordColumn: 'deleted' }));
    h.put(0, { k: 'a', ts: 1n, clicks: 1n });
    h.put(0, { k: 'a', ts: 2n, clicks: 2n, deleted: true });
    expect(await h.query('SELECT COUNT(*) FROM kv')).toEqual([[0]]);
    expect(await h.query('SELECT clicks FROM kv', 'skipUpsertDelete=true')).toEqual([[2]]);
    h.put(0, { k: 'a', ts: 3n, clicks: 3n });
    expect(await h.query('SELECT clicks FROM kv')).toEqual([[3]]);
  });
});

describe('query consistency while updates flow', () => {
  it('a query reads the live rows fixed when it took its snapshot: never a key twice or zero times', async () => {
    const h = new UpsertHarness(dir, fullSettings());
    const first = records(2000, 500, 3).map((r) => ({ ...r, deleted: false }));
    first.forEach((r) => h.put(partitionOf(r.k), r));
    const before = latestPerKey(first);
    const snapshot = snapshotRuntime(h);
    // Heavy updates after the snapshot: every key replaced, segments sealed (and re-sorted).
    for (const k of before.keys()) h.put(partitionOf(k), { k, ts: 1_000_000n, clicks: -1n, note: 'z' });
    for (const p of [0, 1, 2]) await h.seal(p);
    const engine = new QueryEngine({ resolve: () => ({ name: 'kv', schema: upsertSchema, snapshot: () => snapshot }) });
    const run = async (sql: string): Promise<unknown[][]> => (JSON.parse(writeBrokerResponse(await engine.query(sql))) as { resultTable: { rows: unknown[][] } }).resultTable.rows;
    expect(await run('SELECT COUNT(*), COUNT(DISTINCT k), SUM(clicks) FROM kv')).toEqual([[before.size, before.size, Number([...before.values()].reduce((s, r) => s + r.clicks!, 0n))]]);
    expect(await h.query('SELECT COUNT(*), COUNT(DISTINCT k), MIN(clicks), MAX(clicks) FROM kv')).toEqual([[before.size, before.size, -1, -1]]);
  });
});

describe('one key map for the table, whatever the shard', () => {
  it('a key in two unrelated shards is applied by comparison value and counted as a warning; a child shard is not', async () => {
    const h = new UpsertHarness(dir, fullSettings());
    h.put(0, { k: 'a', ts: 1n, clicks: 1n });
    h.put(1, { k: 'a', ts: 2n, clicks: 2n });
    expect(await h.query('SELECT clicks FROM kv')).toEqual([[2]]);
    expect(h.keyMap.counters.keysSeenInUnrelatedShards).toBe(1);
    h.keyMap.setLineage((ancestor, partition) => ancestor === 1 && partition === 2);
    h.put(2, { k: 'a', ts: 3n, clicks: 3n });
    expect(await h.query('SELECT COUNT(*), MAX(clicks) FROM kv')).toEqual([[1, 3]]);
    expect(h.keyMap.counters.keysSeenInUnrelatedShards).toBe(1);
  });
});

describe('live rows in the broker response', () => {
  it('shardtableLiveRows counts the rows live in the query view: default, skipUpsertDelete, skipUpsert', async () => {
    const h = new UpsertHarness(dir, fullSettings({ deleteRecordColumn: 'deleted' }));
    const recs = records(900, 200, 9);
    recs.forEach((r) => h.put(partitionOf(r.k), r));
    await h.seal(1);
    const latest = latestPerKey(recs);
    const response = async (options?: string): Promise<{ shardtableLiveRows?: number; totalDocs: number }> =>
      JSON.parse(writeBrokerResponse(await h.engine.query('SELECT COUNT(*) FROM kv WHERE clicks >= 0', options))) as { shardtableLiveRows?: number; totalDocs: number };
    expect((await response()).shardtableLiveRows).toBe([...latest.values()].filter((r) => !r.deleted).length);
    expect((await response('skipUpsertDelete=true')).shardtableLiveRows).toBe(latest.size);
    const all = await response('skipUpsert=true');
    expect(all.shardtableLiveRows).toBe(recs.length);
    expect(all.totalDocs).toBe(recs.length);
    const plain = new QueryEngine({ resolve: () => ({ name: 'kv', schema: upsertSchema, snapshot: () => snapshotRuntime({ queryableSegments: () => ({ sealed: h.sealed, consuming: [] }) }) }) });
    expect(JSON.parse(writeBrokerResponse(await plain.query('SELECT COUNT(*) FROM kv')))).not.toHaveProperty('shardtableLiveRows');
  });
});

import { mkdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DedupKeys } from '../../../src/upsert/index.js';
import { mulberry32 } from '../../helpers/random.js';
import { tempDir } from '../segment/fixtures.js';
import { fullSettings, rowOf, UpsertHarness, upsertSchema } from './upsert-harness.js';
import type { Rec } from './upsert-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());


const partitionOf = (k: string): number => Number(k.slice(3)) % 3;

/**
 * The reference model of TTLs (`docs/upsert.md`, "TTLs"), written apart from the key map: rows
 * are record ids (`clicks`); each partition's watermark is the largest `ts` of its sealed rows; at
 * each seal, keys below their live row's partition's `watermark − metadataTTL` leave the map with
 * their row still live, deleted keys
 * below `watermark − deletedKeysTTL` leave it with their row no longer valid. A record of a key
 * not in the map starts it afresh (so a key back after its TTL can have two live rows).
 */
class TtlModel {
  readonly keys = new Map<string, Rec>();
  /** The partition of each key's live row. */
  private readonly partitions = new Map<string, number>();
  /** Valid rows by record id (deleted keys' last rows included). */
  readonly valid = new Map<bigint, Rec>();
  private readonly watermarks = new Map<number, number>();
  private readonly consumingMax = new Map<number, number>();

  constructor(
    private readonly metadataTTL: number,
    private readonly deletedKeysTTL: number,
  ) {}

  put(partition: number, r: Rec): void {
    this.consumingMax.set(partition, Math.max(this.consumingMax.get(partition) ?? Number.NEGATIVE_INFINITY, Number(r.ts)));
    const old = this.keys.get(r.k);
    if (old !== undefined && r.ts < old.ts) return;
    if (old !== undefined) this.valid.delete(old.clicks!);
    this.valid.set(r.clicks!, r);
    this.keys.set(r.k, r);
    this.partitions.set(r.k, partition);
  }

  seal(partition: number): void {
    this.watermarks.set(partition, Math.max(this.watermarks.get(partition) ?? Number.NEGATIVE_INFINITY, this.consumingMax.get(partition) ?? Number.NEGATIVE_INFINITY));
    this.consumingMax.delete(partition);
    for (const [k, r] of this.keys) {
      const ts = Number(r.ts);
      const watermark = this.watermarks.get(this.partitions.get(k)!) ?? Number.NEGATIVE_INFINITY;
      if (this.metadataTTL > 0 && ts < watermark - this.metadataTTL) this.keys.delete(k);
      else if (this.deletedKeysTTL > 0 && r.deleted && ts < watermark - this.deletedKeysTTL) {
        this.keys.delete(k);
        this.valid.delete(r.clicks!);
      }
    }
  }

  /** `[k, clicks]` of the rows a query sees, sorted. */
  rows(includeDeleted = false): [string, number][] {
    return [...this.valid.values()]
      .filter((r) => includeDeleted || !r.deleted)
      .map((r): [string, number] => [r.k, Number(r.clicks)])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  }
}

/**
 * A moving clock: each key is active for a while (`span` of `ts`), then quiet; some records are
 * late by a little, some are deletes. With `comeback`, a few keys return long after their TTL.
 */
function stream(n: number, seed: number, span: number, comeback: number): Rec[] {
  const next = mulberry32(seed);
  const out: Rec[] = [];
  const born = new Map<string, number>();
  const last = new Map<string, number>();
  let clock = 1000;
  let nextKey = 0;
  for (let i = 0; i < n; i++) {
    clock += Math.floor(next() * 3);
    let k: string;
    const roll = next();
    if (roll < comeback && nextKey > 20) k = `key${Math.floor(next() * (nextKey - 20))}`;
    else {
      // A key among the ones born within `span` of the clock, or a new one.
      const recent = [...born].filter(([, t]) => clock - t < span);
      k = recent.length > 0 && next() < 0.8 ? recent[Math.floor(next() * recent.length)]![0] : `key${nextKey++}`;
    }
    if (!born.has(k)) born.set(k, clock);
    const prev = last.get(k) ?? clock;
    const ts = next() < 0.1 ? Math.max(prev - 1 - Math.floor(next() * 3), 0) : clock;
    last.set(k, Math.max(prev, ts));
    out.push({ k, ts: BigInt(ts), deleted: next() < 0.1, clicks: BigInt(i), note: `n${Math.floor(next() * 5)}` });
  }
  return out;
}

/** Seals a partition's consuming segment (and the model's) when it has rows. */
async function sealIfAny(h: UpsertHarness, model: TtlModel | null, p: number): Promise<void> {
  if ((h.consuming.get(p)?.numDocs ?? 0) === 0) return;
  await h.seal(p);
  model?.seal(p);
}

async function rowsOf(h: UpsertHarness, options?: string): Promise<[string, number][]> {
  return (await h.query('SELECT k, clicks FROM kv ORDER BY k, clicks LIMIT 100000', options)) as [string, number][];
}

describe('upsert TTLs', () => {
  it('metadataTTL and deletedKeysTTL against the reference model, seal by seal, keys back after their TTL included', async () => {
    const settings = fullSettings({ deleteRecordColumn: 'deleted', metadataTTL: 400, deletedKeysTTL: 150 });
    const h = new UpsertHarness(dir, settings);
    const model = new TtlModel(400, 150);
    const next = mulberry32(11);
    const recs = stream(3000, 5, 300, 0.02);
    for (const [i, r] of recs.entries()) {
      h.put(partitionOf(r.k), r);
      model.put(partitionOf(r.k), r);
      if (i % 97 === 96) {
        const p = Math.floor(next() * 3);
        await sealIfAny(h, model, p);
        expect(h.keyMap.counters.keys, `after seal at record ${i}`).toBe(model.keys.size);
      }
    }
    for (const p of [0, 1, 2]) await sealIfAny(h, model, p);
    expect(await rowsOf(h)).toEqual(model.rows());
    expect(await rowsOf(h, 'skipUpsertDelete=true')).toEqual(model.rows(true));
    const c = h.keyMap.counters;
    expect(c.keys).toBe(model.keys.size);
    expect(c.metadataTTLKeysRemoved).toBeGreaterThan(100);
    expect(c.deletedKeysTTLKeysRemoved).toBeGreaterThan(10);
    // Keys back after their TTL: some have two live rows, as in Pinot.
    const [[rows, keys]] = (await h.query('SELECT COUNT(*), COUNT(DISTINCT k) FROM kv')) as [[number, number]];
    expect(rows).toBeGreaterThan(keys);
  });

  it('a stream within its TTL answers the same after restarts as without them, and the rebuilt map expires the same keys', async () => {
    const settings = fullSettings({ deleteRecordColumn: 'deleted', metadataTTL: 600, deletedKeysTTL: 200 });
    const recs = stream(2500, 8, 150, 0);
    await mkdir(`${dir}/steady`);
    await mkdir(`${dir}/crashing`);
    const steady = new UpsertHarness(`${dir}/steady`, settings);
    const crashing = new UpsertHarness(`${dir}/crashing`, settings);
    const model = new TtlModel(600, 200);
    const unsealed = new Map<number, Rec[]>([[0, []], [1, []], [2, []]]);
    const next = mulberry32(3);
    for (const [i, r] of recs.entries()) {
      const p = partitionOf(r.k);
      for (const h of [steady, crashing]) h.put(p, r);
      model.put(p, r);
      unsealed.get(p)!.push(r);
      if (i % 89 === 88) {
        const s = Math.floor(next() * 3);
        await sealIfAny(steady, model, s);
        await sealIfAny(crashing, null, s);
        unsealed.set(s, []);
      }
      if (i % 601 === 600) {
        // A crash: consuming rows lost, the key map rebuilt from the files, then the lost rows
        // read again from the stream, each shard in order.
        await crashing.restart();
        for (const [q, lost] of unsealed) for (const l of lost) crashing.put(q, l);
        // Deleted keys' rows may differ until the next commit (a re-read delete older than the
        // deletedKeysTTL waits for it); what a default query sees does not.
        expect(await rowsOf(crashing)).toEqual(await rowsOf(steady));
      }
    }
    for (const p of [0, 1, 2]) {
      await sealIfAny(steady, model, p);
      await sealIfAny(crashing, null, p);
    }
    expect(await rowsOf(steady)).toEqual(model.rows());
    expect(await rowsOf(crashing)).toEqual(model.rows());
    expect(await rowsOf(crashing, 'skipUpsertDelete=true')).toEqual(model.rows(true));
    // Within the TTL no key is ever back: one live row per key.
    const [[rows, keys]] = (await steady.query('SELECT COUNT(*), COUNT(DISTINCT k) FROM kv')) as [[number, number]];
    expect(rows).toBe(keys);
    expect(crashing.keyMap.counters.keys).toBe(model.keys.size);
    expect(steady.keyMap.counters.keys).toBe(model.keys.size);
    expect(steady.keyMap.counters.metadataTTLKeysRemoved).toBeGreaterThan(100);
    expect(steady.keyMap.counters.deletedKeysTTLKeysRemoved).toBeGreaterThan(10);
    // A last restart with nothing unsealed: deleted keys expire at once, the others at the next commit.
    await crashing.restart();
    expect(await rowsOf(crashing)).toEqual(model.rows());
    expect(await rowsOf(crashing, 'skipUpsertDelete=true')).toEqual(model.rows(true));
    for (const r of recs.slice(-30)) crashing.put(partitionOf(r.k), { ...r, clicks: r.clicks! + 100_000n });
    for (const r of recs.slice(-30)) model.put(partitionOf(r.k), { ...r, clicks: r.clicks! + 100_000n });
    for (const p of [0, 1, 2]) await sealIfAny(crashing, model, p);
    expect(crashing.keyMap.counters.keys).toBe(model.keys.size);
    expect(await rowsOf(crashing)).toEqual(model.rows());
  });

  it('each partition has its own watermark: a shard far behind the others keeps its keys', async () => {
    const h = new UpsertHarness(dir, fullSettings({ deleteRecordColumn: 'deleted', metadataTTL: 100, deletedKeysTTL: 50 }));
    // Partition 1 lags: its records are at ts 1000..1009 while partition 0 is at 5000.
    for (let i = 0; i < 10; i++) h.put(1, { k: `key${3 * i + 1}`, ts: BigInt(1000 + i), clicks: BigInt(i), note: 'n' });
    h.put(1, { k: 'key91', ts: 1005n, deleted: true, clicks: 50n, note: 'n' });
    h.put(0, { k: 'key0', ts: 5000n, clicks: 100n, note: 'n' });
    await h.seal(0);
    await h.seal(1);
    // With one table-wide watermark (5000) every key of partition 1 would have left the map.
    expect(h.keyMap.counters).toMatchObject({ keys: 12, metadataTTLKeysRemoved: 0, deletedKeysTTLKeysRemoved: 0 });
    // Partition 1's own watermark moves to 1200: keys below 1100 leave (rows still valid, the
    // deleted key91's too); the deleted key94 between 1100 and 1150 leaves and loses its row.
    h.put(1, { k: 'key31', ts: 1200n, clicks: 200n, note: 'n' });
    h.put(1, { k: 'key94', ts: 1120n, deleted: true, clicks: 201n, note: 'n' });
    await h.seal(1);
    expect(h.keyMap.counters).toMatchObject({ keys: 2, metadataTTLKeysRemoved: 11, deletedKeysTTLKeysRemoved: 1 });
    expect(await h.query('SELECT COUNT(*) FROM kv', 'skipUpsertDelete=true')).toEqual([[13]]);
    // A restart rebuilds the same watermarks: key94 expires again at once, the others wait for a commit.
    await h.restart();
    expect(await h.query('SELECT COUNT(*) FROM kv', 'skipUpsertDelete=true')).toEqual([[13]]);
    expect(h.keyMap.counters).toMatchObject({ keys: 13, metadataTTLKeysRemoved: 0, deletedKeysTTLKeysRemoved: 1 });
    h.put(0, { k: 'key0', ts: 5001n, clicks: 300n, note: 'n' });
    await h.seal(0);
    expect(h.keyMap.counters).toMatchObject({ keys: 2, metadataTTLKeysRemoved: 11 });
    expect(await h.query('SELECT COUNT(*) FROM kv', 'skipUpsertDelete=true')).toEqual([[13]]);
  });

  it('without a TTL every key stays', async () => {
    const h = new UpsertHarness(dir, fullSettings({ deleteRecordColumn: 'deleted' }));
    const recs = stream(800, 2, 100, 0.05);
    for (const r of recs) h.put(partitionOf(r.k), r);
    for (const p of [0, 1, 2]) await h.seal(p);
    expect(h.keyMap.counters.keys).toBe(new Set(recs.map((r) => r.k)).size);
    expect(h.keyMap.counters.metadataTTLKeysRemoved).toBe(0);
  });
});

describe('dedup metadataTTL', () => {
  it('a key whose dedup time fell below the watermark − TTL at a commit is admitted again; a rebuild expires the same keys', async () => {
    const settings = { primaryKeyColumns: ['k'], metadataTTL: 100, dedupTimeColumn: 'ts' };
    const h = new UpsertHarness(dir, fullSettings());
    const dedup = new DedupKeys(upsertSchema, settings);
    const seg = h.segment(0);
    const put = (k: string, ts: bigint): boolean => {
      const row = dedup.admit(rowOf({ k, ts }), seg);
      if (row === null) return false;
      seg.index(row, String(ts), 0);
      dedup.commit();
      return true;
    };
    expect([put('a', 10n), put('b', 150n), put('a', 20n)]).toEqual([true, true, false]);
    // Not committed yet: the watermark has not moved, so `a` is still a duplicate.
    expect(put('c', 300n)).toBe(true);
    expect(put('a', 310n)).toBe(false);
    await h.seal(0);
    dedup.sealed(seg);
    // Watermark 300, threshold 200: `a` (10) and `b` (150) leave, `c` (300) stays.
    expect(dedup.counters).toEqual({ keys: 1, duplicatesDropped: 2, metadataTTLKeysRemoved: 2, keysRemovedWithSegments: 0 });
    const seg2 = h.segment(0);
    const put2 = (k: string, ts: bigint): boolean => {
      const row = dedup.admit(rowOf({ k, ts }), seg2);
      if (row === null) return false;
      seg2.index(row, String(ts), 0);
      dedup.commit();
      return true;
    };
    expect([put2('a', 320n), put2('c', 330n), put2('b', 340n)]).toEqual([true, false, true]);
    expect(dedup.counters.duplicatesDropped).toBe(3);
    await h.seal(0);
    dedup.sealed(seg2);
    const again = new DedupKeys(upsertSchema, settings);
    again.rebuild(h.sealed);
    expect(again.counters.keys).toBe(dedup.counters.keys);
    expect(again.admit(rowOf({ k: 'a', ts: 400n }), h.segment(0))).toBeNull();
    expect(again.admit(rowOf({ k: 'c', ts: 400n }), h.segment(0))).toBeNull();
  });

  it('each partition has its own watermark: keys of a lagging partition stay', async () => {
    const settings = { primaryKeyColumns: ['k'], metadataTTL: 100, dedupTimeColumn: 'ts' };
    const h = new UpsertHarness(dir, fullSettings());
    const dedup = new DedupKeys(upsertSchema, settings);
    const put = (p: number, k: string, ts: bigint): boolean => {
      const seg = h.segment(p);
      const row = dedup.admit(rowOf({ k, ts }), seg);
      if (row === null) return false;
      seg.index(row, String(ts), 0);
      dedup.commit();
      return true;
    };
    expect([put(0, 'a', 5000n), put(1, 'b', 1000n), put(1, 'c', 1090n)]).toEqual([true, true, true]);
    for (const p of [0, 1]) {
      const seg = h.segment(p);
      await h.seal(p);
      dedup.sealed(seg);
    }
    // Partition 0 is at 5000, partition 1 at 1090: b (1000) is within 100 of its own partition's.
    expect(dedup.counters.metadataTTLKeysRemoved).toBe(0);
    expect(put(1, 'b', 1095n)).toBe(false);
    expect(put(1, 'd', 1200n)).toBe(true);
    const seg = h.segment(1);
    await h.seal(1);
    dedup.sealed(seg);
    // Partition 1 moved to 1200: b and c leave.
    expect(dedup.counters).toMatchObject({ keys: 2, metadataTTLKeysRemoved: 2 });
    const again = new DedupKeys(upsertSchema, settings);
    again.rebuild(h.sealed);
    expect(again.counters.keys).toBe(2);
  });
});

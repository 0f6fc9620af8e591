import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DedupKeys } from '../../../src/upsert/index.js';
import { tempDir } from '../segment/fixtures.js';
import { fullSettings, UpsertHarness, upsertSchema } from './upsert-harness.js';
import type { Rec } from './upsert-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const partial = fullSettings({ mode: 'PARTIAL', deleteRecordColumn: 'deleted', partialUpsertStrategies: { clicks: 'INCREMENT', tags: 'UNION', note: 'IGNORE' } });

/** The reference: records applied in order by Pinot's rules (INCREMENT, UNION, IGNORE, nulls keep). */
function reference(records: readonly Rec[]): Map<string, { ts: bigint; clicks: bigint | null; tags: string[] | null; note: string | null; deleted: boolean }> {
  const out = new Map<string, { ts: bigint; clicks: bigint | null; tags: string[] | null; note: string | null; deleted: boolean }>();
  for (const r of records) {
    const old = out.get(r.k);
    if (old !== undefined && r.ts < old.ts) continue;
    const fresh = { ts: r.ts, clicks: r.clicks ?? null, tags: r.tags ?? null, note: r.note ?? null, deleted: r.deleted === true };
    if (old === undefined || old.deleted) {
      out.set(r.k, fresh);
      continue;
    }
    const clicks = fresh.clicks === null ? old.clicks : old.clicks === null ? fresh.clicks : old.clicks + fresh.clicks;
    const tags = fresh.tags === null ? old.tags : old.tags === null ? fresh.tags : [...new Set([...old.tags, ...fresh.tags])];
    out.set(r.k, { ts: r.ts, clicks, tags, note: old.note ?? fresh.note, deleted: fresh.deleted });
  }
  return out;
}

function records(n: number, keys: number): Rec[] {
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const k = `key${(i * 7919) % keys}`;
    const ts = BigInt(Math.floor(i / keys) * 10 + (i % 5 === 0 ? -15 : 0));
    out.push({ k, ts, clicks: i % 4 === 0 ? null : BigInt(i % 13), tags: i % 3 === 0 ? null : [`t${i % 5}`], note: i % 6 === 0 ? null : `n${i % 9}`, deleted: i % 37 === 0 });
  }
  return out;
}

async function expectPartial(h: UpsertHarness, applied: readonly Rec[]): Promise<void> {
  const ref = [...reference(applied)].filter(([, v]) => !v.deleted).sort(([a], [b]) => (a < b ? -1 : 1));
  const rows = await h.query('SELECT k, ts, clicks, tags, note FROM kv ORDER BY k LIMIT 100000');
  // Nulls show as the column's default (null handling off in the response): compare through it.
  expect(rows).toEqual(ref.map(([k, v]) => [k, Number(v.ts), Number(v.clicks ?? 0n), v.tags ?? ['null'], v.note ?? 'null']));
}

describe('PARTIAL upsert merges each record into the previous live row', () => {
  it('INCREMENT, UNION, IGNORE with null rules, across seals and a restart', async () => {
    const h = new UpsertHarness(dir, partial);
    const recs = records(1500, 120);
    const pending: Rec[][] = [[], [], []];
    const part = (k: string): number => Number(k.slice(3)) % 3;
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i]!;
      h.put(part(r.k), r);
      pending[part(r.k)]!.push(r);
      if (i % 300 === 299) {
        await h.seal(i % 3);
        pending[i % 3] = [];
      }
      if (i === 1000) {
        await h.restart();
        for (const p of [0, 1, 2]) for (const x of pending[p]!) h.put(p, x);
        await expectPartial(h, recs.slice(0, i + 1));
      }
    }
    await expectPartial(h, recs);
  });
});

describe('PARTIAL upsert with MAX, APPEND and FORCE_OVERWRITE', () => {
  it('merges by those strategies across a seal and a restart', async () => {
    const h = new UpsertHarness(dir, fullSettings({ mode: 'PARTIAL', partialUpsertStrategies: { clicks: 'MAX', tags: 'APPEND', note: 'FORCE_OVERWRITE' } }));
    const recs = records(900, 70).map((r) => ({ ...r, deleted: false }));
    const ref = new Map<string, { ts: bigint; clicks: bigint | null; tags: string[] | null; note: string | null }>();
    for (const r of recs) {
      const old = ref.get(r.k);
      if (old !== undefined && r.ts < old.ts) continue;
      const n = { ts: r.ts, clicks: r.clicks ?? null, tags: r.tags ?? null, note: r.note ?? null };
      if (old === undefined) ref.set(r.k, n);
      else {
        const clicks = n.clicks === null ? old.clicks : old.clicks === null ? n.clicks : n.clicks > old.clicks ? n.clicks : old.clicks;
        const tags = n.tags === null ? old.tags : old.tags === null ? n.tags : [...old.tags, ...n.tags];
        ref.set(r.k, { ts: r.ts, clicks, tags, note: n.note });
      }
    }
    const pending: typeof recs = [];
    for (let i = 0; i < recs.length; i++) {
      h.put(0, recs[i]!);
      pending.push(recs[i]!);
      if (i === 400) {
        await h.seal(0);
        pending.length = 0;
      }
      if (i === 650) {
        await h.restart();
        for (const x of pending) h.put(0, x);
      }
    }
    const want = [...ref].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, Number(v.ts), Number(v.clicks ?? 0n), v.tags ?? ['null'], v.note ?? 'null']);
    expect(await h.query('SELECT k, ts, clicks, tags, note FROM kv ORDER BY k LIMIT 100000')).toEqual(want);
  });
});

describe('dedup: the first record of a key wins', () => {
  it('later records of a key are dropped and counted; a rebuild knows the sealed keys', async () => {
    const h = new UpsertHarness(dir, fullSettings());
    const dedup = new DedupKeys(upsertSchema, { primaryKeyColumns: ['k'], metadataTTL: 0 });
    const seg = h.segment(0);
    for (const [k, ts] of [['a', 1n], ['b', 2n], ['a', 3n], ['a', 0n]] as const) {
      const admitted = dedup.admit([k, 0, null, null, null, null, ts], seg);
      if (admitted === null) continue;
      seg.index(admitted, String(ts), 0);
      dedup.commit();
    }
    expect(seg.numDocs).toBe(2);
    expect(dedup.counters).toEqual({ keys: 2, duplicatesDropped: 2, metadataTTLKeysRemoved: 0, keysRemovedWithSegments: 0 });
    await h.seal(0);
    const again = new DedupKeys(upsertSchema, { primaryKeyColumns: ['k'], metadataTTL: 0 });
    again.rebuild(h.sealed);
    expect(again.admit(['a', 0, null, null, null, null, 9n], seg)).toBeNull();
    expect(again.admit(['c', 0, null, null, null, null, 9n], seg)).not.toBeNull();
  });

  it('a gap repair indexes through the set: its keys are known at once, taken back if it publishes nothing', async () => {
    const h = new UpsertHarness(dir, fullSettings());
    const dedup = new DedupKeys(upsertSchema, { primaryKeyColumns: ['k'], metadataTTL: 0 });
    const put = (seg: ReturnType<UpsertHarness['segment']>, k: string): boolean => {
      const admitted = dedup.admit([k, 0, null, null, null, null, 1n], seg);
      if (admitted === null) return false;
      seg.index(admitted, String(seg.numDocs), 0);
      dedup.commit();
      return true;
    };
    const live = h.segment(0);
    const repair = h.segment(1);
    expect(put(live, 'a')).toBe(true);
    dedup.trackRepair(repair.name);
    expect([put(repair, 'a'), put(repair, 'b'), put(repair, 'c')]).toEqual([false, true, true]);
    // The shard's consumer beside the repair: b is known already.
    expect([put(live, 'b'), put(live, 'd')]).toEqual([false, true]);
    dedup.abandonRepair(repair.name);
    expect(dedup.counters.keys).toBe(2);
    expect([put(live, 'b'), put(live, 'c'), put(live, 'a')]).toEqual([true, true, false]);
    // A published repair keeps its keys.
    const second = h.segment(2);
    dedup.trackRepair(second.name);
    expect(put(second, 'e')).toBe(true);
    await h.seal(2);
    dedup.repairSealed(h.sealed[0]!);
    dedup.abandonRepair(second.name);
    expect(put(live, 'e')).toBe(false);
  });
});

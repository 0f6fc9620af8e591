import { readdir, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { QueryEngine, snapshotRuntime, writeBrokerResponse } from '../../src/query/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig } from '../helpers/emulator-table.js';
import { segmentsByShard, wrapConsumers } from '../helpers/segment-chains.js';
import { tableRows, waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(validateSchema({
  schemaName: 'kv',
  dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'k', dataType: 'STRING' }],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
  primaryKeyColumns: ['k'],
}));

interface Rec { id: number; k: string; ts: number }

const SEGMENT_ROWS = 60;

function tableConfig(endpoint: string, stream: string, keyed: Record<string, unknown>): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream,
    tableName: 'kv',
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.fetch.timeout.millis': '2000',
      'stream.kinesis.shard.discovery.interval.ms': '60000',
      'realtime.segment.flush.threshold.rows': String(SEGMENT_ROWS),
    },
    extra: keyed,
  });
}

/** Flips 16 bytes of the `id` column's first block in a served segment's file, in place (the open descriptor sees them). */
async function corruptIdBlock(runtime: TableIngestion, segmentName: string): Promise<void> {
  const segment = runtime.queryableSegments().sealed.find((s) => s.name === segmentName)!;
  const at = segment.footer.columns.find((c) => c.name === 'id')!.blocks[0]!.section.offset;
  const bytes = await readFile(segment.path);
  for (let i = at; i < at + 16; i++) bytes[i] = bytes[i]! ^ 0xff;
  await writeFile(segment.path, bytes);
}

/** Reads every stored cell the way a query does; the corrupt block's read fails with SEGMENT_CORRUPT. */
function queryFails(runtime: TableIngestion): string | null {
  try {
    tableRows(runtime, ['id', 'k', 'ts']);
    return null;
  } catch (err) {
    return (err as { errorName?: string }).errorName ?? String(err);
  }
}

async function query(runtime: TableIngestion, sql: string, options?: string): Promise<unknown[][]> {
  const engine = new QueryEngine({ resolve: () => ({ name: 'kv', schema, snapshot: () => snapshotRuntime(runtime) }) });
  const json = JSON.parse(writeBrokerResponse(await engine.query(sql, options))) as { resultTable?: { rows: unknown[][] }; exceptions: unknown[] };
  expect(json.exceptions).toEqual([]);
  return json.resultTable!.rows;
}

/** Per key, the ids of its stored rows (every row, live or not). */
function idsByKey(runtime: TableIngestion): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const row of tableRows(runtime, ['id', 'k'])) out.set(row.k as string, [...(out.get(row.k as string) ?? []), Number(row.id)]);
  return out;
}

describe('a segment of an upsert or dedup table found corrupt while serving is re-read online (kinesalite)', () => {
  const env = withEmulator('kinesalite');
  const tables = withTableRuntimes('shardtable-online-repair-keyed-');

  /**
   * One shard holding `records`, a table serving them from sealed segments (restarted once, so
   * the files are read from disk, checksums verified); then sealed segment `victimSequence` is
   * corrupted on disk and a query meets it. The online repair's first fetch waits for
   * `openRepair`, so records put meanwhile are read by the shard's consumer first. `indexed` must
   * not read column blocks (COUNT(*) reads none): blocks read before the corruption would be
   * answered from the process-wide cache.
   */
  async function corruptedWhileServing(keyed: Record<string, unknown>, records: readonly Rec[], indexed: (t: TableIngestion) => Promise<boolean>, victimSequence: number) {
    const stream = await env.newStream(1, 'onlinekeyed');
    await putJsonRecords(env.client, stream, records, (r) => r.k);
    const dir = await tables.tempDir();
    const config = tableConfig(env.endpoint, stream, keyed);
    const first = await tables.start({ schema, config, tableDir: dir });
    await waitFor('records indexed', () => indexed(first), 60_000, 200);
    const chain = [...segmentsByShard(first).values()][0]!;
    expect(chain.length).toBeGreaterThan(victimSequence + 1);
    await first.stop();
    const victim = chain[victimSequence]!;
    const predecessorEnd = first.segmentMetadata(chain[victimSequence - 1]!.segmentName)!.endOffset as string;
    let openRepair!: () => void;
    const gate = new Promise<void>((resolve) => (openRepair = resolve));
    // Test double around the real consumers: only the repair fetches after the predecessor's end.
    const streamFactory = wrapConsumers(victim.shardId, (real) => ({
      fetchMessages: async (after, timeoutMs) => {
        if (after?.toString() === predecessorEnd) await gate;
        return real.fetchMessages(after, timeoutMs);
      },
      close: () => real.close(),
    }));
    const runtime = await tables.start({ schema, config, tableDir: dir, streamFactory });
    const files = (await readdir(dir)).filter((f) => f.endsWith('.seg')).length;
    await waitFor('checksums verified', () => (runtime.sealedUpkeep?.checksumsVerified ?? 0) === files, 60_000);
    await corruptIdBlock(runtime, victim.segmentName);
    expect(queryFails(runtime)).toBe('SEGMENT_CORRUPT');
    await waitFor('file quarantined', () => (runtime.status().quarantined ?? []).length === 1);
    await waitFor('online repair reading', () => runtime.status().repairs?.[0]?.state === 'READING');
    return { stream, dir, runtime, victim, openRepair };
  }

  it('upsert: keys whose live row was in the file are absent until the repair, then live at the repaired row; answers equal the reference and a restart', async () => {
    // 100 keys, each every 100 records, until record 300; then keys 0..49 only: keys 50..99 keep
    // their last rows in segments 3 and 4. Every 7th record is 201 ms back: out of order.
    const at = (i: number): Rec => ({ id: i, k: `key${(i * 37) % (i < 300 ? 100 : 50)}`, ts: 1_000_000 + 2 * i - (i % 7 === 6 ? 201 : 0) });
    const records = Array.from({ length: 600 }, (_, i) => at(i));
    const rowCount = async (t: TableIngestion): Promise<number> => (await query(t, 'SELECT COUNT(*) FROM kv', 'skipUpsert=true'))[0]![0] as number;
    const upsert = { upsertConfig: { mode: 'FULL', comparisonColumns: ['ts'] } };
    const { stream, dir, runtime, victim, openRepair } = await corruptedWhileServing(upsert, records, async (t) => (await rowCount(t)) === 600, 4);
    const inVictim = new Set(records.slice(4 * SEGMENT_ROWS, 5 * SEGMENT_ROWS).map((r) => r.id));
    const apply = (live: Map<string, Rec>, recs: readonly Rec[]): Map<string, Rec> => {
      for (const r of recs) if (!live.has(r.k) || r.ts >= live.get(r.k)!.ts) live.set(r.k, r);
      return live;
    };
    const sorted = (live: Map<string, Rec>): unknown[][] => [...live.values()].map((r) => [r.k, r.id, r.ts]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    // The file held the live rows of some keys and replaced rows of others.
    const before = apply(new Map(), records);
    const liveElsewhere = new Map([...before].filter(([, r]) => !inVictim.has(r.id)));
    expect(liveElsewhere.size).toBeLessThan(before.size);
    expect(inVictim.size).toBeGreaterThan(before.size - liveElsewhere.size);

    // Records arrive while the hole waits to be re-read, some for keys whose live row was in it
    // (two of them: one older than all its records, one newer), the last a key of its own.
    const [older, newer] = [...before.values()].filter((r) => inVictim.has(r.id)).map((r) => r.k);
    const window = [...Array.from({ length: 60 }, (_, i) => at(600 + i)), { id: 660, k: older!, ts: 1 }, { id: 661, k: newer!, ts: 3_000_000 }, { id: 662, k: 'window-end', ts: 3_000_000 }];
    await putJsonRecords(env.client, stream, window, (r) => r.k);
    await waitFor('the window read', async () => (await query(runtime, "SELECT COUNT(*) FROM kv WHERE k = 'window-end'"))[0]![0] === 1, 60_000, 200);
    // Meanwhile: keys whose live row was in the file are absent (their older rows are not
    // revived), or start afresh at a record read since; every other key is untouched.
    expect(await query(runtime, 'SELECT k, id, ts FROM kv ORDER BY k LIMIT 1000')).toEqual(sorted(apply(liveElsewhere, window)));
    openRepair();
    await waitFor('online repair done', () => runtime.status().repairs?.[0]?.state === 'REPAIRED', 60_000);
    expect(runtime.status().repairs![0]).toMatchObject({ missingSegments: [victim.segmentName], rows: victim.numDocs });

    const total = records.length + window.length;
    const reference = sorted(apply(new Map(), [...records, ...window]));
    const check = async (t: TableIngestion): Promise<void> => {
      // Every record stored once (unique ids), one live row per key: the reference's.
      expect(await query(t, 'SELECT COUNT(*), COUNT(DISTINCT id) FROM kv', 'skipUpsert=true')).toEqual([[total, total]]);
      expect(await query(t, 'SELECT k, id, ts FROM kv ORDER BY k LIMIT 1000')).toEqual(reference);
      expect(await query(t, 'SELECT COUNT(*), COUNT(DISTINCT k) FROM kv')).toEqual([[reference.length, reference.length]]);
    };
    await check(runtime);
    expect(runtime.status().upsert).toMatchObject({ keys: reference.length, liveRows: reference.length });
    await runtime.stop();

    const again = await tables.start({ schema, config: tableConfig(env.endpoint, stream, upsert), tableDir: dir });
    expect(again.status().repairs).toEqual([]);
    await waitFor('every row after the restart', async () => (await rowCount(again)) === total, 60_000, 200);
    await check(again);
  }, 180_000);

  it('dedup: the file\'s keys are stored again exactly once; a key stored meanwhile is not stored twice; a restart answers the same', async () => {
    // Two new keys in three records; the third repeats a key up to 150 records back (often in an earlier segment).
    const at = (i: number): Rec => ({ id: i, k: `key${i % 3 === 2 ? i - 1 - ((i * 13) % 150) : i}`, ts: 1_000_000 + i });
    const records = Array.from({ length: 600 }, (_, i) => at(i));
    const firstOf = (recs: readonly Rec[]): Map<string, number> => {
      const out = new Map<string, number>();
      for (const r of recs) if (!out.has(r.k)) out.set(r.k, r.id);
      return out;
    };
    const stored = firstOf(records);
    const dedup = { dedupConfig: { dedupEnabled: true } };
    const { stream, dir, runtime, victim, openRepair } = await corruptedWhileServing(dedup, records, async (t) => (await query(t, 'SELECT COUNT(*) FROM kv'))[0]![0] === stored.size, 2);
    // One shard: the stored rows are the keys' first records in stream order, SEGMENT_ROWS per file.
    expect(victim.numDocs).toBe(SEGMENT_ROWS);
    const storedKeys = [...stored.keys()];
    const victimKeys = storedKeys.slice(2 * SEGMENT_ROWS, 3 * SEGMENT_ROWS);
    // Records arrive while the hole waits to be re-read: repeats of the file's keys (its first key
    // among them), of other keys, and new keys.
    const window = [
      ...Array.from({ length: 60 }, (_, i) => at(600 + i)).map((r, i) => (i % 4 === 0 ? { ...r, k: victimKeys[i]! } : i % 4 === 1 ? { ...r, k: storedKeys[i]! } : r)),
      { id: 660, k: 'window-end', ts: 2_000_000 },
    ];
    await putJsonRecords(env.client, stream, window, (r) => r.k);
    await waitFor('the window read', () => idsByKey(runtime).has('window-end'), 60_000, 200);
    openRepair();
    await waitFor('online repair done', () => runtime.status().repairs?.[0]?.state === 'REPAIRED', 60_000);
    const all = [...records, ...window];
    const keys = [...firstOf(all).keys()].sort();
    const check = (t: TableIngestion): Map<string, number> => {
      const byKey = idsByKey(t);
      expect([...byKey.keys()].sort()).toEqual(keys);
      expect([...byKey.entries()].filter(([, ids]) => ids.length !== 1)).toEqual([]);
      return new Map([...byKey].map(([k, ids]) => [k, ids[0]!]));
    };
    const online = check(runtime);
    // Each key keeps its first record, but a key of the file the consumer stored again before the
    // repair read it keeps that later record (`docs/upsert.md`, "Gap repairs").
    const first = firstOf(all);
    const storedMeanwhile = new Map(window.filter((r) => victimKeys.includes(r.k)).map((r) => [r.k, r.id]));
    expect(storedMeanwhile.size).toBe(15);
    expect(new Map([...online].filter(([k, id]) => id !== first.get(k)))).toEqual(storedMeanwhile);
    await runtime.stop();

    const again = await tables.start({ schema, config: tableConfig(env.endpoint, stream, dedup), tableDir: dir });
    expect(again.status().repairs).toEqual([]);
    await waitFor('every key stored after the restart', () => idsByKey(again).has('window-end'), 60_000, 200);
    expect(check(again)).toEqual(online);
  }, 180_000);
});

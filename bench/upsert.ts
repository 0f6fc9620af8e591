import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTableSchema } from '../src/config/schema.js';
import type { TableSchema } from '../src/config/schema.js';
import type { IndexingConfig } from '../src/config/table-config.js';
import type { UpsertSettings } from '../src/config/upsert-config.js';
import { QueryEngine, sealedSnapshot } from '../src/query/index.js';
import { ConsumingSegment, sealPermutation, sealSegment } from '../src/segment/index.js';
import type { SealedSegment } from '../src/segment/index.js';
import type { DecodedRow } from '../src/spi/decoder.js';
import { UpsertKeyMap } from '../src/upsert/index.js';
import { createDecoder } from '../src/plugins/decoder/registry.js';
import { readFileSync } from 'node:fs';
import { validateSchema } from '../src/config/index.js';
import { clickstreamTable, eventRecords } from './event-records.js';
import { fmt, machineInfo, msSince, repeat, spread, summarise, usedBytesAfterGc } from './harness.js';
import type { BenchResult, Measurement } from './harness.js';

const INDEXING: IndexingConfig = { invertedIndexColumns: [], noDictionaryColumns: [], nullHandlingEnabled: false };
const SEGMENT_ROWS = 500_000;

export function schemaFor(keyType: 'LONG' | 'STRING'): TableSchema {
  return buildTableSchema({
    schemaName: 'kv',
    dimensionFieldSpecs: [{ name: 'k', dataType: keyType }, { name: 'country', dataType: 'STRING' }],
    metricFieldSpecs: [{ name: 'v', dataType: 'LONG' }],
    dateTimeFieldSpecs: [{ name: 'ts', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
    primaryKeyColumns: ['k'],
  });
}

export const SETTINGS: UpsertSettings = { mode: 'FULL', primaryKeyColumns: ['k'], comparisonColumns: ['ts'], dropOutOfOrderRecord: false, partialUpsertStrategies: {}, defaultPartialUpsertStrategy: 'OVERWRITE', metadataTTL: 0, deletedKeysTTL: 0 };

/** Row i: key i % keys (a LONG, or a 16-byte string), ts i. */
function row(keyType: 'LONG' | 'STRING', i: number, keys: number): DecodedRow {
  const k = i % keys;
  return [keyType === 'LONG' ? BigInt(k) : `k${String(k).padStart(15, '0')}`, ['NL', 'DE', 'US'][i % 3]!, BigInt(i), BigInt(i)];
}

function segment(schema: TableSchema, n: number): ConsumingSegment {
  return new ConsumingSegment({ identity: { tableName: 'kv', segmentName: `kv__0__${n}__20260101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' }, schema, indexing: INDEXING });
}

/** Indexes `rows` rows into segments of SEGMENT_ROWS, through the key map when given; seconds. */
export function ingest(schema: TableSchema, rows: number, keys: number, keyMap: UpsertKeyMap | null, out: ConsumingSegment[] = []): number {
  const start = process.hrtime.bigint();
  let seg = segment(schema, 0);
  out.push(seg);
  for (let i = 0; i < rows; i++) {
    if (seg.numDocs === SEGMENT_ROWS) out.push((seg = segment(schema, out.length)));
    const r = row(schema.columns[0]!.dataType as 'LONG' | 'STRING', i, keys);
    if (keyMap === null) {
      seg.index(r, String(i), 0);
      continue;
    }
    const admitted = keyMap.admit(r, seg)!;
    seg.index(admitted, String(i), 0);
    keyMap.commit(seg.numDocs - 1);
  }
  return msSince(start) / 1000;
}

/**
 * The whole record path on the same events, both sides: the ingest benchmark's clickstream
 * records (JSON, ~15 fields) decoded and indexed into an append table, and into the same table
 * made an upsert table keyed by `userId` (50,000 users, skewed) with `ts` as comparison column
 * (out-of-order records included, as the generator delays some). Seconds.
 */
export function recordPath(count: number, upsert: boolean): () => number {
  const { config } = clickstreamTable();
  const json = JSON.parse(readFileSync(join(process.cwd(), 'schemas', 'quickstart', 'clickstream_schema.json'), 'utf8')) as Record<string, unknown>;
  const keyed = buildTableSchema(validateSchema({ ...json, primaryKeyColumns: ['userId'] }));
  const schema = upsert ? keyed : clickstreamTable().schema;
  const { messages } = eventRecords(count);
  const settings: UpsertSettings = { ...SETTINGS, primaryKeyColumns: ['userId'], comparisonColumns: ['ts'] };
  return () => {
    const start = process.hrtime.bigint();
    const decoder = createDecoder(config.stream.decoderName, schema, { keyPrefix: `stream.${config.stream.streamType}.`, properties: config.stream.properties });
    const keyMap = upsert ? new UpsertKeyMap(keyed, settings) : null;
    const seg = new ConsumingSegment({ identity: { tableName: 'kv', segmentName: 'kv__0__0__20260101T0000Z', partitionId: 0, shardId: 'shardId-000000000000' }, schema, indexing: config.indexing });
    for (const message of messages) {
      const result = decoder.decode(message);
      if (!result.ok) throw new Error(result.error);
      const offset = message.offset.toString();
      if (keyMap === null) {
        seg.index(result.row, offset, message.arrivalTimeMs);
        continue;
      }
      const admitted = keyMap.admit(result.row, seg);
      if (admitted === null) continue;
      seg.index(admitted, offset, message.arrivalTimeMs);
      keyMap.commit(seg.numDocs - 1);
    }
    return msSince(start) / 1000;
  };
}

/** Runs `a` and `b` in turn (after one warm-up each), so a shared machine's load drifts onto both alike. */
function interleaved(runs: number, a: () => number, b: () => number): [Measurement, Measurement] {
  a();
  b();
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(a());
    bs.push(b());
  }
  return [summarise(as), summarise(bs)];
}

/** Heap bytes per key of the key map (live bitmaps and per-doc keys of consuming segments included). */
function keyMapBytesPerKey(keyType: 'LONG' | 'STRING', keys: number): number {
  const schema = schemaFor(keyType);
  const segments: ConsumingSegment[] = [];
  ingest(schema, keys, keys, null, segments);
  const before = usedBytesAfterGc();
  const keyMap = new UpsertKeyMap(schema, SETTINGS);
  for (const seg of segments) for (let d = 0; d < seg.numDocs; d++) {
    keyMap.admit(row(keyType, segments.indexOf(seg) * SEGMENT_ROWS + d, keys), seg);
    keyMap.commit(d);
  }
  const bytes = usedBytesAfterGc() - before;
  if (keyMap.counters.keys !== keys) throw new Error('key count');
  return bytes / keys;
}

/**
 * `upsert`: ingest into an upsert table against the same rows into an append table (target
 * ≥ 0.7 x); key-map bytes per key for LONG and 16-byte STRING keys (target ≤ 64 B for LONG);
 * restart (key map rebuilt from sealed files); query overhead of the live-row filter on the same
 * sealed rows (target ≤ 1.3 x).
 */
export async function benchUpsert(quick: boolean): Promise<BenchResult> {
  const rows = quick ? 1_000_000 : 10_000_000;
  const keys = rows / 10;
  const runs = quick ? 3 : 5;
  const schema = schemaFor('LONG');
  const recordRows = rows / 5;
  const [appendRecords, upsertRecords] = interleaved(runs, recordPath(recordRows, false), recordPath(recordRows, true));
  const [append, upsert] = interleaved(runs, () => ingest(schema, rows / 5, keys, null), () => ingest(schema, rows / 5, keys, new UpsertKeyMap(schema, SETTINGS)));
  const longBytes = keyMapBytesPerKey('LONG', keys);
  const stringBytes = keyMapBytesPerKey('STRING', keys);

  const dir = await mkdtemp(join(tmpdir(), 'shardtable-bench-upsert-'));
  try {
    const keyMap = new UpsertKeyMap(schema, SETTINGS);
    const consuming: ConsumingSegment[] = [];
    ingest(schema, rows, keys, keyMap, consuming);
    const sealed: SealedSegment[] = [];
    for (const seg of consuming) {
      const perm = sealPermutation(seg.snapshot(), seg.indexing);
      const file = await sealSegment(seg, { tableDir: dir, endOfShard: false, upsert: keyMap.footerFor(seg, perm) });
      keyMap.sealed(seg, file, perm);
      sealed.push(file);
    }
    const restart = await repeat(runs, () => {
      const start = process.hrtime.bigint();
      new UpsertKeyMap(schema, SETTINGS).rebuild(sealed);
      return msSince(start) / 1000;
    });
    const sql = 'SELECT country, COUNT(*), SUM(v) FROM kv GROUP BY country';
    const timed = (snapshot: () => ReturnType<typeof sealedSnapshot>[]) => async (): Promise<number> => {
      const engine = new QueryEngine({ resolve: () => ({ name: 'kv', schema, snapshot }) });
      const start = process.hrtime.bigint();
      const result = await engine.query(sql, 'timeoutMs=600000');
      if (result.exceptions.length > 0) throw new Error(JSON.stringify(result.exceptions));
      return msSince(start);
    };
    const plain = await repeat(runs, timed(() => sealed.map((s) => sealedSnapshot(s))));
    const filtered = await repeat(runs, timed(() => {
      const live = keyMap.freezeAll(sealed.map((s) => s.name));
      return sealed.map((s) => sealedSnapshot(s, live.get(s.name) ?? null));
    }));
    const result: BenchResult = {
      name: 'upsert',
      machine: machineInfo(),
      params: { rows, keys, ingestRows: rows / 5, runs },
      metrics: {
        appendRecordPathSeconds: appendRecords,
        upsertRecordPathSeconds: upsertRecords,
        recordPathRatio: appendRecords.median / upsertRecords.median,
        appendIngestSeconds: append,
        upsertIngestSeconds: upsert,
        ingestRatio: append.median / upsert.median,
        keyMapBytesPerLongKey: longBytes,
        keyMapBytesPerStringKey: stringBytes,
        restartSeconds: restart,
        appendQueryMs: plain,
        upsertQueryMs: filtered,
        queryOverhead: filtered.median / plain.median,
      },
    };
    console.log(
      `upsert: record path (decode + index, clickstream events keyed by userId) ${fmt(appendRecords.median / upsertRecords.median)} x append (target ≥ 0.7); ` +
        `index only (LONG key) ${fmt(append.median / upsert.median)} x append; key map ${fmt(longBytes)} B/LONG key (target ≤ 64), ${fmt(stringBytes)} B/16-byte STRING key; ` +
        `restart ${spread(restart, 3)} s for ${fmt(keys)} keys in ${fmt(rows)} rows; query ${fmt(filtered.median / plain.median)} x append (target ≤ 1.3)`,
    );
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

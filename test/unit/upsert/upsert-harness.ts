import type { CellValue } from '../../../src/config/data-type.js';
import { buildTableSchema } from '../../../src/config/schema.js';
import type { TableSchema } from '../../../src/config/schema.js';
import type { IndexingConfig } from '../../../src/config/table-config.js';
import type { UpsertSettings } from '../../../src/config/upsert-config.js';
import { QueryEngine, snapshotRuntime, writeBrokerResponse } from '../../../src/query/index.js';
import { ConsumingSegment, loadTableSegments, sealPermutation, sealSegment } from '../../../src/segment/index.js';
import type { SealedSegment } from '../../../src/segment/index.js';
import { UpsertKeyMap } from '../../../src/upsert/index.js';

/** TEST ONLY. Keys `k`, comparison `ts`, `deleted`, `late`, `clicks` (LONG), `tags` (multi-value). */
export const upsertSchema: TableSchema = buildTableSchema({
  schemaName: 'kv',
  dimensionFieldSpecs: [
    { name: 'k', dataType: 'STRING' },
    { name: 'deleted', dataType: 'BOOLEAN' },
    { name: 'late', dataType: 'BOOLEAN' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
    { name: 'note', dataType: 'STRING' },
  ],
  metricFieldSpecs: [{ name: 'clicks', dataType: 'LONG' }],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
  primaryKeyColumns: ['k'],
});

export function fullSettings(over: Partial<UpsertSettings> = {}): UpsertSettings {
  return { mode: 'FULL', primaryKeyColumns: ['k'], comparisonColumns: ['ts'], dropOutOfOrderRecord: false, partialUpsertStrategies: {}, defaultPartialUpsertStrategy: 'OVERWRITE', metadataTTL: 0, deletedKeysTTL: 0, ...over };
}

/** A record: key, comparison value, delete flag, clicks, note, tags (null cells allowed). */
export interface Rec {
  k: string;
  ts: bigint;
  deleted?: boolean;
  clicks?: bigint | null;
  note?: string | null;
  tags?: string[] | null;
}

export function rowOf(r: Rec): (CellValue | null)[] {
  return [r.k, r.deleted ? 1 : 0, null, r.tags ?? null, r.note ?? null, r.clicks ?? null, r.ts];
}

/**
 * TEST ONLY. One upsert table without a stream: partitions append records into consuming
 * segments through the key map, seal them (inline, sorted by `note`), and queries run through
 * the real engine on `queryableSegments()`, as the table runtime wires them.
 */
export class UpsertHarness {
  keyMap: UpsertKeyMap;
  sealed: SealedSegment[] = [];
  readonly consuming = new Map<number, ConsumingSegment>();
  private readonly sequence = new Map<number, number>();
  private offset = 0;
  readonly engine: QueryEngine;

  constructor(
    readonly dir: string,
    readonly settings: UpsertSettings,
    readonly indexing: IndexingConfig = { sortedColumn: 'note', invertedIndexColumns: [], noDictionaryColumns: [], nullHandlingEnabled: true },
  ) {
    this.keyMap = new UpsertKeyMap(upsertSchema, settings);
    const runtime = { queryableSegments: () => this.queryableSegments() };
    this.engine = new QueryEngine({ resolve: () => ({ name: 'kv', schema: upsertSchema, snapshot: () => snapshotRuntime(runtime) }) });
  }

  queryableSegments() {
    const consuming = [...this.consuming.values()];
    const sealed = [...this.sealed];
    return { sealed, consuming, liveDocs: this.keyMap.freezeAll([...sealed.map((s) => s.name), ...consuming.map((c) => c.name)]) };
  }

  segment(partition: number): ConsumingSegment {
    let seg = this.consuming.get(partition);
    if (seg === undefined) {
      const seq = this.sequence.get(partition) ?? 0;
      seg = new ConsumingSegment({ identity: { tableName: 'kv', segmentName: `kv__${partition}__${seq}__20240101T0000Z`, partitionId: partition, shardId: `shardId-00000000000${partition}` }, schema: upsertSchema, indexing: this.indexing });
      this.consuming.set(partition, seg);
    }
    return seg;
  }

  /** Indexes a record as the record indexer does: admit, index, commit in one synchronous step. */
  put(partition: number, r: Rec): void {
    const seg = this.segment(partition);
    const admitted = this.keyMap.admit(rowOf(r), seg);
    this.offset++;
    if (admitted === null) return;
    seg.index(admitted, String(this.offset), 0);
    this.keyMap.commit(seg.numDocs - 1);
  }

  /** Seals a partition's consuming segment as the partition sealer does. */
  async seal(partition: number): Promise<void> {
    const seg = this.segment(partition);
    const perm = sealPermutation(seg.snapshot(), seg.indexing);
    const sealed = await sealSegment(seg, { tableDir: this.dir, endOfShard: false, builder: 'inline', upsert: this.keyMap.footerFor(seg, perm) });
    this.keyMap.sealed(seg, sealed, perm);
    this.sealed.push(sealed);
    this.consuming.delete(partition);
    this.sequence.set(partition, (this.sequence.get(partition) ?? 0) + 1);
  }

  /** A restart: consuming segments lost, key map rebuilt from the files on disk. */
  async restart(): Promise<void> {
    this.consuming.clear();
    const loaded = await loadTableSegments(this.dir, { tableName: 'kv', compareOffsets: (a, b) => Number(a) - Number(b) });
    this.sealed = loaded.segments;
    this.keyMap = new UpsertKeyMap(upsertSchema, this.settings);
    this.keyMap.rebuild(this.sealed);
  }

  async query(sql: string, options?: string): Promise<unknown[][]> {
    const json = JSON.parse(writeBrokerResponse(await this.engine.query(sql, options))) as { resultTable?: { rows: unknown[][] }; exceptions: unknown[] };
    if (json.exceptions.length > 0) throw new Error(JSON.stringify(json.exceptions));
    return json.resultTable!.rows;
  }
}

/** The reference: per key, the record with the greatest ts, the latest among equals. */
export function latestPerKey(records: readonly Rec[]): Map<string, Rec> {
  const out = new Map<string, Rec>();
  for (const r of records) {
    const old = out.get(r.k);
    if (old === undefined || r.ts >= old.ts) out.set(r.k, r);
  }
  return out;
}

import type { StarTreeConfig } from '../config/star-tree-config.js';
import type { IndexingConfig } from '../config/table-config.js';
import { ConsumingSegment } from './consuming-segment.js';
import { segmentRows } from './rollup.js';
import type { SealWorker } from './seal-worker/seal-worker.js';
import { sealSegment, TEMP_FILE_SUFFIX } from './seal-segment.js';
import type { SealedSegment } from './sealed-segment.js';
import type { UpsertSealInfo } from './format/footer.js';

/**
 * Suffix of a segment file rebuilt with new indexes but not yet renamed over the served file. It
 * ends in `.seg.tmp`, so a start after a crash deletes it (the old file still answers).
 */
export const REINDEX_FILE_SUFFIX = '.reindex' + TEMP_FILE_SUFFIX;

/** The index lists a reload compares: those a file can be rebuilt for. */
type IndexLists = Record<'inverted' | 'noDictionary' | 'json' | 'bloom' | 'range' | 'text' | 'timestamp' | 'starTree', readonly string[]>;

/** `firstDimension` U+0001 the tree as JSON, for every star-tree (a file has those whose columns it has). */
function starTreeList(trees: readonly Omit<StarTreeConfig, never>[] | undefined): string[] {
  return (trees ?? []).map((t) => `${t.dimensions[0] ?? ''}\u0001${JSON.stringify([t.dimensions, t.skipStarDimensions, t.functionColumnPairs, t.maxLeafRecords])}`);
}

/** `column` U+0001 `GRANULARITY` for every granularity of every timestamp-indexed column. */
function timestampList(indexes: Readonly<Record<string, readonly string[]>> | undefined): string[] {
  return Object.entries(indexes ?? {}).flatMap(([c, gs]) => gs.map((g) => `${c}\u0001${g}`));
}

function configLists(indexing: IndexingConfig): IndexLists {
  return {
    inverted: indexing.invertedIndexColumns,
    noDictionary: indexing.noDictionaryColumns,
    json: indexing.jsonIndexColumns ?? [],
    bloom: Object.keys(indexing.bloomFilters ?? {}),
    range: indexing.rangeIndexColumns ?? [],
    text: indexing.textIndexColumns ?? [],
    timestamp: timestampList(indexing.timestampIndexes),
    starTree: starTreeList(indexing.starTrees),
  };
}

function fileLists(segment: SealedSegment): IndexLists {
  const f = segment.footer.indexing;
  return {
    inverted: f.invertedIndexColumns,
    noDictionary: f.noDictionaryColumns,
    json: f.jsonIndexColumns ?? [],
    bloom: f.bloomFilterColumns ?? [],
    range: f.rangeIndexColumns ?? [],
    text: f.textIndexColumns ?? [],
    timestamp: timestampList(f.timestampIndexes),
    starTree: starTreeList(segment.starTrees),
  };
}

/**
 * The index kinds whose column lists differ between the file and the table config (only columns
 * the file has count: a config naming a column added later changes nothing here). Empty when the
 * file already has what the config asks for. Sorting and null handling are not compared: a reload
 * never re-sorts a file (doc ids stay stable, which upsert state relies on).
 */
export function indexChanges(segment: SealedSegment, indexing: IndexingConfig): string[] {
  const has = new Set(segment.footer.columns.map((c) => c.name));
  const configured = configLists(indexing);
  // Star-trees are not built with null handling on, nor when the file lacks one of their columns.
  const buildable = (indexing.starTrees ?? []).filter((t) => !segment.footer.indexing.nullHandlingEnabled && [...t.dimensions, ...t.functionColumnPairs.map((p) => p.slice(p.indexOf('__') + 2))].every((c) => c === '*' || has.has(c)));
  const want = { ...configured, starTree: starTreeList(buildable) };
  const got = fileLists(segment);
  const norm = (list: readonly string[]): string => [...new Set(list.filter((c) => has.has(c.split('\u0001')[0]!)))].sort().join('\0');
  return (Object.keys(want) as (keyof IndexLists)[]).filter((k) => norm(want[k]) !== norm(got[k]));
}

/**
 * Builds `segment` again with the index config `indexing` — same rows in the same order, same
 * identity, offsets, times and upsert footer — as `<name>.reindex.seg.tmp` in `tableDir` (built in
 * the seal worker, written with fsync). The served file is untouched: the caller renames the new
 * file over it (`commitReindexedSegment`) or deletes it. The file's own sorted column and null
 * handling are kept. Returns the path of the new file.
 */
export async function buildReindexedFile(segment: SealedSegment, indexing: IndexingConfig, tableDir: string, builder?: SealWorker | 'inline'): Promise<string> {
  const { footer, metadata } = segment;
  const { sortedColumn: _tableSorted, ...rest } = indexing;
  const sortedColumn = footer.indexing.sortedColumn;
  const keep: IndexingConfig = { ...rest, ...(sortedColumn !== null ? { sortedColumn } : {}), nullHandlingEnabled: footer.indexing.nullHandlingEnabled };
  const rebuilt = new ConsumingSegment({
    identity: { tableName: metadata.tableName, segmentName: metadata.segmentName, partitionId: metadata.partitionId, shardId: metadata.shardId },
    schema: segment.schema,
    indexing: keep,
    ...(footer.timeColumnName !== null ? { timeColumnName: footer.timeColumnName } : {}),
    createdAtMs: metadata.consumingStartTimeMs,
  });
  // Every row carries the start offset: only the first and last offsets reach the footer.
  for (const row of segmentRows(segment)) rebuilt.index(row, metadata.startOffset!, metadata.creationTimeMs);
  if (metadata.endOffset !== null) rebuilt.markConsumed(metadata.endOffset);
  const built = await sealSegment(rebuilt, {
    tableDir,
    endOfShard: metadata.endOfShard,
    creationTimeMs: metadata.creationTimeMs,
    fileSuffix: REINDEX_FILE_SUFFIX,
    ...(footer.upsert !== undefined ? { upsert: upsertSealInfoOf(segment) } : {}),
    ...(builder !== undefined ? { builder } : {}),
  });
  built.close();
  return built.path;
}

/** The old file's upsert footer for the new one: same doc order, so the replay section is copied as is. */
function upsertSealInfoOf(segment: SealedSegment): UpsertSealInfo {
  const { commitOrder, tieLosers } = segment.footer.upsert!;
  const replay = segment.upsertReplay();
  return { commitOrder, tieLosers, ...(replay !== null ? { replay: replay.slice() } : {}) };
}

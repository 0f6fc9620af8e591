import { ShardtableError } from '../errors.js';
import { openSegment, toDisplayJson } from '../segment/index.js';
import type { SealedSegment, SegmentMetadata, VerifyReport } from '../segment/index.js';

export interface InspectOptions {
  /** Print one JSON document instead of text. */
  readonly json?: boolean;
  /** Rows to show (default 5; 0 for none). */
  readonly rows?: number;
  /** Decode every block of every column, every dictionary and inverted index. */
  readonly verify?: boolean;
  /** Called as `verify` decodes blocks (a progress bar). */
  readonly onVerifyProgress?: (done: number, total: number) => void;
}

/** Default number of rows `inspect` prints. */
export const DEFAULT_INSPECT_ROWS = 5;

function metadataJson(m: SegmentMetadata): Record<string, unknown> {
  return {
    ...m,
    columns: m.columns.map((c) => ({ ...c, min: toDisplayJson(c.min, c.dataType), max: toDisplayJson(c.max, c.dataType) })),
  };
}

function iso(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15 ? String(ms) : new Date(ms).toISOString();
}

function short(value: unknown, max = 24): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

function textReport(file: string, seg: SealedSegment, rows: Record<string, unknown>[], verify: VerifyReport | undefined, out: (line: string) => void): void {
  const m = seg.metadata;
  out(`segment      ${m.segmentName}`);
  out(`file         ${file} (${m.sizeBytes} bytes, format version ${m.formatVersion}, crc32 ok)`);
  out(`table        ${m.tableName}   partition ${m.partitionId}   shard ${m.shardId}`);
  out(`rows         ${m.numDocs}`);
  out(`offsets      ${m.startOffset ?? '-'} .. ${m.endOffset ?? '-'}${m.endOfShard ? '   (end of shard)' : ''}`);
  out(`created      ${iso(m.creationTimeMs)}   consuming since ${iso(m.consumingStartTimeMs)}`);
  if (m.timeColumnName) out(`time column  ${m.timeColumnName}: ${m.startTimeMs ?? '-'} .. ${m.endTimeMs ?? '-'}`);
  out(`sorted by    ${m.sortedColumn ?? '-'}   null handling ${m.nullHandlingEnabled ? 'on' : 'off'}`);
  for (const t of seg.starTrees) out(`star-tree    dimensions ${t.dimensions.join(',')}   pairs ${t.functionColumnPairs.join(',')}   ${t.numRecords} records${t.numNodes !== undefined ? `, ${t.numNodes} nodes` : ' (cube)'} (${t.section.frames.reduce((a, b) => a + b, 0)}B)`);
  out('');
  const header = ['column', 'type', 'sv/mv', 'encoding', 'cardinality', 'nulls', 'min', 'max', 'bytes', 'raw bytes', 'blocks', 'indexes'];
  const lines = m.columns.map((c) => [
    c.name,
    c.dataType,
    c.singleValue ? 'SV' : 'MV',
    c.encoding,
    String(c.cardinality),
    String(c.nullCount),
    c.min === null ? '-' : short(toDisplayJson(c.min, c.dataType)),
    c.max === null ? '-' : short(toDisplayJson(c.max, c.dataType)),
    String(c.forwardIndexBytes + c.dictionaryBytes + c.invertedIndexBytes + c.jsonIndexBytes + c.bloomFilterBytes + c.rangeIndexBytes + c.textIndexBytes + c.timestampIndexBytes),
    String(c.rawBytes),
    String(c.numBlocks),
    [c.isSorted ? 'sorted' : '', c.hasInvertedIndex ? 'inverted' : '', c.numDictionaryPages > 0 ? `paged(${c.numDictionaryPages})` : '', c.hasJsonIndex ? `json(${c.jsonIndexBytes}B)` : '', c.hasBloomFilter ? `bloom(${c.bloomFilterBytes}B)` : '', c.hasRangeIndex ? `range(${c.rangeIndexBytes}B)` : '', c.hasTextIndex ? `text(${c.textIndexBytes}B)` : '', c.hasTimestampIndex ? `timestamp(${c.timestampIndexBytes}B)` : '', c.hasNullBitmap ? 'nulls' : ''].filter(Boolean).join(',') || '-',
  ]);
  for (const line of table([header, ...lines])) out(line);
  if (rows.length > 0) {
    out('');
    out(`first ${rows.length} row${rows.length === 1 ? '' : 's'}:`);
    for (const row of rows) out(JSON.stringify(row));
  }
  if (verify) {
    out('');
    out(`verify       OK: checksum, ${verify.blocks} blocks of ${verify.columns} columns, ${verify.dictionaries} dictionaries, ${verify.invertedIndexes} inverted indexes, ${verify.jsonIndexes} JSON indexes, ${verify.bloomFilters} bloom filters, ${verify.rangeIndexes} range indexes, ${verify.textIndexes} text indexes, ${verify.timestampIndexes} timestamp indexes, ${verify.starTrees} star-trees decoded`);
  }
}

/**
 * `shardtable inspect <segment-file> [--json] [--rows N] [--verify]`: prints a segment's
 * metadata, per-column statistics and first rows. Returns the exit code: 0 when the file opened
 * (and, with `verify`, decoded completely), 1 when it is missing, corrupt, truncated or of an
 * unknown version — with a message naming the file and the problem.
 *
 * @example
 *   process.exitCode = await runInspect(file, { verify: true }, console.log);
 */
export async function runInspect(file: string, opts: InspectOptions, out: (line: string) => void): Promise<number> {
  const limit = opts.rows ?? DEFAULT_INSPECT_ROWS;
  try {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`--rows must be a non-negative integer, got ${String(opts.rows)}`);
    const seg = await openSegment(file);
    const verify = opts.verify ? seg.verify(opts.onVerifyProgress) : undefined;
    const rows: Record<string, unknown>[] = [];
    const types = new Map(seg.schema.columns.map((c) => [c.name, c.dataType] as const));
    for (const row of seg.rows(limit)) {
      rows.push(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, toDisplayJson(v, types.get(k))])));
    }
    if (opts.json) {
      out(JSON.stringify({ file, ok: true, metadata: metadataJson(seg.metadata), rows, ...(verify ? { verify: { ok: true, ...verify } } : {}) }, null, 2));
    } else {
      textReport(file, seg, rows, verify, out);
    }
    return 0;
  } catch (err) {
    const message =
      err instanceof ShardtableError
        ? err.message
        : (err as NodeJS.ErrnoException).code
          ? `cannot read ${file}: ${(err as Error).message}`
          : `${file}: ${(err as Error).message}`;
    if (opts.json) {
      out(JSON.stringify({ file, ok: false, error: { code: err instanceof ShardtableError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'ERROR'), message } }, null, 2));
    } else {
      out(`error: ${message}`);
    }
    return 1;
  }
}

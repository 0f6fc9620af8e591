import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openSegment, SEGMENT_FILE_SUFFIX, summarizeSegment } from '../segment/index.js';
import type { SegmentSummary } from '../segment/index.js';
import { EXIT } from './exit-codes.js';
import type { QueryIo } from './query.js';
import { formatTable } from './result-format.js';

export interface SegmentsOptions {
  readonly table: string;
  /** Read the files under `<dataDir>/<table>/` (footers only) instead of asking a server. */
  readonly dataDir?: string;
  /** Base URL of a running server (used when `dataDir` is not given). */
  readonly server: string;
  readonly json: boolean;
  readonly timeoutMs: number;
}

/**
 * `shardtable segments --table T [--server URL | --data-dir D] [--json]`: a table's sealed
 * segments with partition, rows, size on disk and time range, sorted by partition and name, then
 * a total line. From a running server (`GET /segments/{t}/metadata`), or straight from the files
 * (footers only, so a large table lists in moments; safe while `serve` runs). Returns the exit
 * code: `FAILED` for an unknown table or unreadable folder, `UNREACHABLE` when no server answers.
 *
 * @example
 *   process.exitCode = await runSegments({ table: 'events', server: DEFAULT_SERVER, json: false, timeoutMs: 30_000 }, io);
 */
export async function runSegments(opts: SegmentsOptions, io: QueryIo): Promise<number> {
  let segments: SegmentSummary[];
  try {
    segments = opts.dataDir !== undefined ? await fromFiles(join(opts.dataDir, opts.table)) : await fromServer(opts);
  } catch (err) {
    const e = err as Error & { exit?: number };
    io.err(`error: ${e.message}\n`);
    return e.exit ?? EXIT.FAILED;
  }
  segments.sort((a, b) => a.partitionId - b.partitionId || (a.segmentName < b.segmentName ? -1 : a.segmentName > b.segmentName ? 1 : 0));
  if (opts.json) {
    io.out(`${JSON.stringify(segments, null, 2)}\n`);
    return EXIT.OK;
  }
  const time = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
  io.out(
    formatTable({
      dataSchema: { columnNames: ['segment', 'partition', 'rows', 'bytes', 'startTime', 'endTime'], columnDataTypes: ['STRING', 'INT', 'LONG', 'LONG', 'STRING', 'STRING'] },
      rows: segments.map((s) => [s.segmentName, s.partitionId, s.numDocs, s.sizeBytes, time(s.startTimeMs), time(s.endTimeMs)]),
    }),
  );
  const rows = segments.reduce((n, s) => n + s.numDocs, 0);
  const bytes = segments.reduce((n, s) => n + s.sizeBytes, 0);
  io.out(`(${segments.length} segment${segments.length === 1 ? '' : 's'}, ${rows} rows, ${bytes} bytes)\n`);
  return EXIT.OK;
}

async function fromFiles(tableDir: string): Promise<SegmentSummary[]> {
  let files: string[];
  try {
    files = (await readdir(tableDir)).filter((f) => f.endsWith(SEGMENT_FILE_SUFFIX));
  } catch (err) {
    throw new Error(`cannot list ${tableDir}: ${(err as Error).message}`);
  }
  const out: SegmentSummary[] = [];
  for (const file of files) {
    const segment = await openSegment(join(tableDir, file), { verifyChecksum: false });
    out.push(summarizeSegment(segment.metadata));
    segment.close();
  }
  return out;
}

async function fromServer(opts: SegmentsOptions): Promise<SegmentSummary[]> {
  const url = `${opts.server.replace(/\/+$/, '')}/segments/${encodeURIComponent(opts.table)}/metadata`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(opts.timeoutMs) });
    text = await response.text();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    throw Object.assign(new Error(`cannot reach a shardtable server at ${opts.server} (${e.cause?.code ?? e.message}); start one with \`shardtable serve\`, pass --server URL, or read the files with --data-dir`), { exit: EXIT.UNREACHABLE });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${url} answered HTTP ${response.status} with no JSON: ${text.slice(0, 200)}`);
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${(body as { error?: string }).error ?? text.slice(0, 300)}`);
  return Object.values(body as Record<string, SegmentSummary>);
}

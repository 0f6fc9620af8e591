import cliProgress from 'cli-progress';
import type { PartitionStatus, TableIngestionStatus } from '../ingest/index.js';
import { EXIT } from './exit-codes.js';
import type { QueryIo } from './query.js';
import { formatTable } from './result-format.js';

export interface StatusOptions {
  readonly server: string;
  readonly json: boolean;
  /** Poll until the table's initial load is done (phase `STREAMING`), showing its progress. */
  readonly waitLoaded: boolean;
  /** Give up waiting for one answer after this many millis. */
  readonly timeoutMs: number;
  /** Millis between polls with `waitLoaded` (default 1000). */
  readonly pollMs?: number;
  /** Millis between plain progress lines when stderr is not a terminal (default 5000). */
  readonly lineIntervalMs?: number;
  /** Where the progress bar is drawn (stderr); a bar only when it is a terminal. */
  readonly progressStream?: NodeJS.WriteStream;
}

/** What `consumingSegmentsInfo` answers, as far as this command reads it. */
interface ConsumingInfo {
  readonly shardtableTable?: Partial<TableIngestionStatus>;
  readonly shardtablePartitions?: readonly PartitionStatus[];
}

class StatusError extends Error {
  constructor(message: string, readonly exit: number) {
    super(message);
  }
}

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(2);
const count = (n: number): string => n.toLocaleString('en-US');

/**
 * `shardtable status <table>`: a table's ingestion at a glance, from `GET
 * /tables/{t}/consumingSegmentsInfo`: whether the stream is reached, the phase of a table with an
 * initial load (`LOADING` with items, bytes, capacity units and percent of the source's item count,
 * then `STREAMING`), and one line per partition. `--wait-loaded` polls until the load is done,
 * with a progress bar on a terminal (plain lines otherwise), then prints the status. Returns the
 * exit code: 0 shown (loaded); 1 unknown table, or while waiting the stream was recreated or a
 * load partition stopped on an error; 3 no server answered.
 *
 * @example
 *   process.exitCode = await runStatus('orders', { server: DEFAULT_SERVER, json: false, waitLoaded: true, timeoutMs: 30_000 }, io);
 */
export async function runStatus(table: string, opts: StatusOptions, io: QueryIo): Promise<number> {
  try {
    let info = await fetchInfo(table, opts);
    if (opts.waitLoaded) info = await waitLoaded(table, info, opts, io);
    io.out(opts.json ? `${JSON.stringify(info, null, 2)}\n` : formatStatus(table, info));
    return EXIT.OK;
  } catch (err) {
    const e = err as Error & { exit?: number };
    io.err(`error: ${e.message}\n`);
    return e.exit ?? EXIT.FAILED;
  }
}

async function fetchInfo(table: string, opts: StatusOptions): Promise<ConsumingInfo> {
  const url = `${opts.server.replace(/\/+$/, '')}/tables/${encodeURIComponent(table)}/consumingSegmentsInfo`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(opts.timeoutMs) });
    text = await response.text();
  } catch (err) {
    throw new StatusError(`no answer from ${opts.server}: ${err instanceof Error ? err.message : String(err)}`, EXIT.UNREACHABLE);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = (body as { error?: unknown } | null)?.error;
    throw new StatusError(`HTTP ${response.status}: ${typeof error === 'string' ? error : text.slice(0, 500)}`, EXIT.FAILED);
  }
  return (body ?? {}) as ConsumingInfo;
}

/** The table's phase line and, while loading, its progress line; empty for a table without an initial load. */
export function phaseLines(info: ConsumingInfo): string[] {
  const phase = info.shardtableTable?.phase;
  if (!phase) return [];
  const lines = [`phase ${phase.state}: ${phase.snapshotPartitionsDone} of ${phase.snapshotPartitions} load partitions read to their end`];
  const p = phase.progress;
  if (p) {
    const of = p.sourceItemCount > 0 ? ` of ~${count(p.sourceItemCount)}${p.percent === null ? '' : ` (${p.percent}%)`}` : '';
    lines.push(`load: ${count(p.items)} items${of}, ${mb(p.bytes)} MB, ${count(p.capacityUnits)} capacity units (cap ${p.capacityLimitPerSecond}/s)`);
  }
  return lines;
}

/** The text form: ingestion state, phase and load progress, then a table of the partitions. */
export function formatStatus(table: string, info: ConsumingInfo): string {
  const t = info.shardtableTable ?? {};
  const lines = [`table ${table}: ingestion ${t.ingestion?.state ?? 'unknown'}${t.ingestion?.lastError ? ` (${t.ingestion.lastError})` : ''}`, ...phaseLines(info)];
  for (const loss of t.dataLoss ?? []) lines.push(`data loss: ${loss.shardId}: ${loss.reason}`);
  const partitions = info.shardtablePartitions ?? [];
  const text = formatTable({
    dataSchema: {
      columnNames: ['partition', 'shard', 'state', 'consumingRows', 'recordsRead', 'msBehind', 'lastError'],
      columnDataTypes: ['INT', 'STRING', 'STRING', 'LONG', 'LONG', 'LONG', 'STRING'],
    },
    rows: partitions.map((p) => [p.partitionId, p.shardId, p.state, p.rowsInConsumingSegment, p.recordsConsumed, p.msBehindLatest, p.lastError]),
  });
  return `${lines.join('\n')}\n${text}`;
}

/** Polls until the phase is `STREAMING` (or the table has no load), drawing the load's progress. */
async function waitLoaded(table: string, first: ConsumingInfo, opts: StatusOptions, io: QueryIo): Promise<ConsumingInfo> {
  const stream = opts.progressStream ?? process.stderr;
  const bar = stream.isTTY
    ? new cliProgress.SingleBar({ stream, format: `${table} load [{bar}] {percentage}% | {items} items | {mb} MB | {units} RCU`, hideCursor: true, barsize: 24 }, cliProgress.Presets.shades_classic)
    : null;
  let started = false;
  let lastLine = 0;
  let info = first;
  try {
    for (;;) {
      const phase = info.shardtableTable?.phase;
      const state = info.shardtableTable?.ingestion?.state;
      if (state === 'STREAM_RECREATED') throw new StatusError(`table ${table}: ${info.shardtableTable?.ingestion?.lastError ?? 'stream recreated'}`, EXIT.FAILED);
      const failed = (info.shardtablePartitions ?? []).find((p) => p.state === 'ERROR');
      if (phase?.state === 'LOADING' && failed) throw new StatusError(`table ${table}: partition ${failed.shardId} stopped: ${failed.lastError ?? 'error'}`, EXIT.FAILED);
      if (!phase) {
        // Not listed yet (phase appears with the first listing), or a table without a load.
        if (state !== undefined && state !== 'CONNECTING') return info;
      } else {
        const p = phase.progress;
        // Percent of the source's item count when it is known, else of the load partitions done.
        const total = p && p.sourceItemCount > 0 ? p.sourceItemCount : phase.snapshotPartitions;
        const done = phase.state === 'STREAMING' ? total : p && p.sourceItemCount > 0 ? Math.min(p.items, total) : phase.snapshotPartitionsDone;
        const payload = { items: count(p?.items ?? 0), mb: mb(p?.bytes ?? 0), units: count(p?.capacityUnits ?? 0) };
        if (bar) {
          if (!started) bar.start(total, done, payload);
          else bar.update(done, payload);
          started = true;
        } else if (phase.state === 'STREAMING' || Date.now() - lastLine >= (opts.lineIntervalMs ?? 5000)) {
          io.err(`${table}: ${phaseLines(info).join('; ')}\n`);
          lastLine = Date.now();
        }
        if (phase.state === 'STREAMING') return info;
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
      info = await fetchInfo(table, opts);
    }
  } finally {
    if (started) bar?.stop();
  }
}

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ShardtableError } from '../errors.js';
import { TableIngestion } from '../ingest/index.js';
import type { PartitionStatus } from '../ingest/index.js';
import type { Logger } from '../logger.js';
import { loadCatalogTable } from '../table/index.js';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.js';
import { EXIT } from './exit-codes.js';
import { ShardProgress } from './shard-progress.js';

export interface IngestOnceOptions {
  readonly table: string;
  readonly dataDir: string;
  readonly logger: Logger;
  /** Plain output (the summary) — stdout. */
  readonly out: (text: string) => void;
  /** Errors, plain progress lines — stderr; progress bars are drawn on `progressStream` when it is a terminal. */
  readonly err: (text: string) => void;
  readonly progressStream: NodeJS.WriteStream;
  /** Resolves when the run should be abandoned (Ctrl-C); nothing read since the last seal is kept. */
  readonly interrupted?: Promise<unknown>;
}

const POLL_MS = 200;

/**
 * `shardtable ingest --once --table T [--data-dir D]` (Spark's `AvailableNow`, Redshift's
 * `REFRESH`): reads every shard of the table's stream from its checkpoint (the end of its last
 * sealed segment) to the tip as of the start (`IngestBound`, src/ingest/ingest-bound.ts), seals
 * what it read, and returns. The ingestion is the server's own (`TableIngestion`), so the
 * exactly-once rules are unchanged: the sealed files are the checkpoint, and `serve` resumes after
 * them. Holds the data dir's lock meanwhile (`serve` holds it too). Returns the exit code: 0 when
 * every shard reached its bound or its end, `FAILED` when a shard stopped on an error or the table
 * cannot be loaded or read, `LOCKED` when another process holds the data dir.
 *
 * @example process.exitCode = await runIngestOnce({ table: 'events', dataDir: './segments', logger, out, err, progressStream: process.stderr });
 */
export async function runIngestOnce(opts: IngestOnceOptions): Promise<number> {
  const asOfMs = Date.now();
  const dataDir = resolve(opts.dataDir);
  if (!existsSync(dataDir)) {
    opts.err(`error: data dir ${dataDir} does not exist; pass the --data-dir that \`serve\` used\n`);
    return EXIT.FAILED;
  }
  let lock;
  try {
    lock = await lockDataDir(dataDir, `ingest --once --table ${opts.table}`);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    opts.err(`error: ${err.message}\n`);
    return EXIT.LOCKED;
  }
  let runtime: TableIngestion | null = null;
  const progress = new ShardProgress({ stream: opts.progressStream, line: (t) => opts.err(`${t}\n`) });
  try {
    const { table, tableDir, paused } = await loadCatalogTable(dataDir, opts.table, opts.logger);
    if (paused) opts.err(`note: table ${opts.table} is paused on the server; reading it once anyway\n`);
    const sealedNames = new Set<string>();
    runtime = new TableIngestion({
      table,
      tableDir,
      logger: opts.logger,
      bound: { asOfMs },
      onEvent: (event) => {
        if (event.kind === 'segmentSealed') sealedNames.add(event.segmentName);
      },
    });
    await runtime.start();
    let interrupted = false;
    void opts.interrupted?.then(() => (interrupted = true));
    while (!interrupted && !(await runtime.boundReached())) {
      progress.update(runtime.partitions());
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const partitions = runtime.partitions();
    progress.update(partitions);
    progress.stop();
    await runtime.stop();
    let rows = 0;
    for (const s of runtime.segments()) if (sealedNames.has(s.segmentName)) rows += s.numDocs;
    const sealed = sealedNames.size;
    if (interrupted) {
      opts.err(`interrupted: ${sealed} segments sealed before the stop are kept; records read since are read again by the next run\n`);
      return EXIT.FAILED;
    }
    // A recreated stream halts the table before it reads anything: a failure, not an empty run.
    const ingestion = runtime.status().ingestion;
    if (ingestion.state === 'STREAM_RECREATED') {
      opts.err(`error: ${ingestion.lastError ?? 'the stream was recreated'}\n`);
      return EXIT.FAILED;
    }
    return summarize(opts, partitions, { sealed, rows, asOfMs });
  } catch (err) {
    progress.stop();
    await runtime?.stop().catch(() => undefined);
    opts.err(`error: ${err instanceof ShardtableError || err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.FAILED;
  } finally {
    await lock.release();
  }
}

function summarize(opts: IngestOnceOptions, partitions: readonly PartitionStatus[], run: { sealed: number; rows: number; asOfMs: number }): number {
  const records = partitions.reduce((n, p) => n + p.recordsConsumed, 0);
  const failed = partitions.filter((p) => p.state === 'ERROR');
  for (const p of failed) opts.err(`error: ${p.shardId} stopped: ${p.lastError ?? 'unknown error'}\n`);
  opts.out(
    `ingested ${opts.table}: ${records} records read from ${partitions.length} shards up to ${new Date(run.asOfMs).toISOString()}; ` +
      `${run.rows} rows in ${run.sealed} new sealed segments\n`,
  );
  return failed.length > 0 ? EXIT.FAILED : EXIT.OK;
}

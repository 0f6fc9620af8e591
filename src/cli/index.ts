import { mkdirSync, statSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createLogger } from '../logger.js';
import { COMPRESSED_TIER_ENV, MEMORY_BUDGET_ENV, memoryBudgetFromEnv, parseBlockCacheMb, parseCompressedTierPercent } from '../segment/reader/block-cache.js';
import { DEFAULT_PARALLEL_MIN_ROWS, PARALLEL_MIN_ROWS_ENV, QUERY_THREADS_ENV, SPLIT_BY_KEY_ENV, configureQueryThreads } from '../query/index.js';
import { DEFAULT_HTTP_LIMITS } from '../server/http-limits.js';
import type { HttpLimits } from '../server/http-limits.js';
import { runExport } from './export.js';
import { runInspect } from './inspect.js';
import { runProduce } from './produce.js';
import { DEFAULT_SERVER, QUERY_FORMATS, runQuery } from './query.js';
import { runSegments } from './segments.js';
import { runStatus } from './status.js';
import type { QueryFormat } from './query.js';
import { EXIT } from './exit-codes.js';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.js';
import { runIngestOnce } from './ingest.js';
import { progressBar } from './progress-bar.js';
import { helpText, USAGE_EXIT } from './help-text.js';
import { runQuickstart } from './quickstart.js';
import { runDynamoDbQuickstart } from './quickstart-dynamodb.js';
import { runResetStream } from './reset-stream.js';
import { runRewind } from './rewind.js';
import { startServer, untilSignal } from './serve.js';
import { clusterServeOptions } from './serve-cluster.js';
import type { ClusterCliFlags, ClusterServeOptions } from './serve-cluster.js';
import { DEFAULT_LEASE_TIMEOUT_MS } from '../cluster/index.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

function budgetMb(value: string): number {
  try {
    return parseBlockCacheMb(value, '--memory-budget-mb');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function compressedTierPercent(value: string): number {
  try {
    return parseCompressedTierPercent(value, '--compressed-tier-percent');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

interface ServeLimitFlags {
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxBodyBytes: number;
}

/** Builds the `shardtable` command line (commander). */
export function buildCli(): Command {
  const program = new Command('shardtable')
    .description('Realtime OLAP tables fed by Amazon Kinesis, with Pinot-compatible APIs')
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', `
Examples:
  $ shardtable quickstart
  $ shardtable query "SELECT count(*) FROM clickstream"
  $ shardtable <command> --help

Exit codes: 0 done; 1 failed; 2 bad command line; 3 no server answered (query); 4 data dir in use
(serve, ingest). See docs/cli.md.`);

  program
    .command('serve')
    .description('run the server: reload tables and segments under the data dir and resume consuming')
    .option('--data-dir <dir>', 'data directory', './segments')
    .option('--port <port>', 'HTTP port', port, 9000)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--memory-budget-mb <mb>', `MiB that sealed segments may keep in memory (decoded blocks, dictionaries, indexes; read from disk on demand), 0 = no cache (default: env ${MEMORY_BUDGET_ENV}, else a quarter of memory up to 1024)`, budgetMb)
    .option('--block-cache-mb <mb>', 'alias of --memory-budget-mb', budgetMb)
    .option('--compressed-tier-percent <p>', `percent of the memory budget kept for sections' compressed file bytes, decoded again on a miss instead of read from disk; 0-90, 0 = no compressed tier (default: env ${COMPRESSED_TIER_ENV}, else 0)`, compressedTierPercent)
    .option('--query-threads <n>', `worker threads that read a query's sealed segments in parallel, at most one per core; 0 = every query on the main thread (default: env ${QUERY_THREADS_ENV}, else 0: opt-in until the pool beats the main thread, docs/query.md)`, positiveInt)
    .option('--query-parallel-min-rows <rows>', `a query over fewer sealed rows runs on the main thread (default: env ${PARALLEL_MIN_ROWS_ENV}, else ${DEFAULT_PARALLEL_MIN_ROWS})`, positiveInt)
    .option('--query-split-by-key', `with query threads, split a high-cardinality GROUP BY or DISTINCTCOUNT over an INT/LONG key by key values, each thread reading every sealed segment (default: env ${SPLIT_BY_KEY_ENV}=1, else off: no steady win on 2 cores, docs/query.md)`)
    .option('--request-timeout-ms <ms>', 'a request (headers and body) must arrive within this, else 408; 0 = none', positiveInt, DEFAULT_HTTP_LIMITS.requestTimeoutMs)
    .option('--headers-timeout-ms <ms>', 'request headers must arrive within this, else 408', positiveInt, DEFAULT_HTTP_LIMITS.headersTimeoutMs)
    .option('--keep-alive-timeout-ms <ms>', 'idle keep-alive connections are closed after this', positiveInt, DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs)
    .option('--idle-timeout-ms <ms>', 'connections silent this long are closed; 0 = never', positiveInt, DEFAULT_HTTP_LIMITS.idleTimeoutMs)
    .option('--max-connections <n>', 'open HTTP connections at most; more are closed unanswered; 0 = no cap', positiveInt, DEFAULT_HTTP_LIMITS.maxConnections)
    .option('--max-body-bytes <bytes>', 'largest request body, else 413', positiveInt, DEFAULT_HTTP_LIMITS.bodyLimit)
    .option('--retention-interval-ms <ms>', 'time between two retention checks of each table (default 600000: 10 minutes); retention also runs when a table starts and, with --cluster, when a shard\'s lease is taken', positiveInt)
    .option('--cluster <dynamodb:prefix>', 'join a cluster whose tables are <prefix>-servers, -leases, -segments, -tables in DynamoDB (needs --deep-store); /query/sql then fans out to every live server')
    .option('--deep-store <s3://bucket/prefix>', 'where the cluster keeps sealed segments (with --cluster)')
    .option('--server-id <id>', 'this server in the cluster (default host:port of the listener)')
    .option('--heartbeat-ms <ms>', 'cluster membership: how often this server bumps its heartbeat and re-reads the live servers (default 1000)', positiveInt)
    .option('--lease-timeout-ms <ms>', `a shard lease not renewed for this long is taken by another server (default ${DEFAULT_LEASE_TIMEOUT_MS})`, positiveInt)
    .option('--membership-timeout-ms <ms>', 'cluster membership: a server whose heartbeat is unchanged this long is gone (default 6000)', positiveInt)
    .addHelpText('after', helpText(
      ['shardtable serve --data-dir ./segments --port 9000', 'shardtable serve --cluster dynamodb:prod --deep-store s3://my-bucket/shardtable --port 9001', 'AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:4567 shardtable serve --host 0.0.0.0 --memory-budget-mb 256'],
      `0 stopped by Ctrl-C or SIGTERM; 1 could not start (port in use, data dir unreadable); ${USAGE_EXIT}; 4 the data dir is in use by another serve or ingest`,
    ))
    .action(async (opts: { dataDir: string; port: number; host: string; memoryBudgetMb?: number; blockCacheMb?: number; compressedTierPercent?: number; queryThreads?: number; queryParallelMinRows?: number; querySplitByKey?: boolean; retentionIntervalMs?: number } & ServeLimitFlags & ClusterCliFlags) => {
      let cluster: ClusterServeOptions | undefined;
      try {
        if (opts.retentionIntervalMs !== undefined && opts.retentionIntervalMs < 1000) throw new Error(`--retention-interval-ms ${opts.retentionIntervalMs}: must be at least 1000`);
        cluster = clusterServeOptions(opts);
        // A bad query-thread environment variable stops the start here, named, not every query later.
        configureQueryThreads({});
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exitCode = EXIT.USAGE;
        return;
      }
      const logger = createLogger();
      const blockCacheBytes = opts.memoryBudgetMb ?? opts.blockCacheMb ?? memoryBudgetFromEnv();
      const compressedTierShare = opts.compressedTierPercent ?? parseCompressedTierPercent(process.env[COMPRESSED_TIER_ENV]);
      const httpLimits: HttpLimits = {
        requestTimeoutMs: opts.requestTimeoutMs,
        headersTimeoutMs: opts.headersTimeoutMs,
        keepAliveTimeoutMs: opts.keepAliveTimeoutMs,
        idleTimeoutMs: opts.idleTimeoutMs,
        maxConnections: opts.maxConnections,
        bodyLimit: opts.maxBodyBytes,
      };
      mkdirSync(opts.dataDir, { recursive: true });
      let lock;
      try {
        lock = await lockDataDir(opts.dataDir, 'serve');
      } catch (err) {
        if (!(err instanceof DataDirLockedError)) throw err;
        process.stderr.write(`error: ${err.message}\n`);
        process.exitCode = EXIT.LOCKED;
        return;
      }
      const queryOptions = {
        ...(opts.queryThreads !== undefined ? { queryThreads: opts.queryThreads } : {}),
        ...(opts.queryParallelMinRows !== undefined ? { queryParallelMinRows: opts.queryParallelMinRows } : {}),
        ...(opts.querySplitByKey === true ? { querySplitByKey: true } : {}),
        ...(opts.retentionIntervalMs !== undefined ? { retentionIntervalMs: opts.retentionIntervalMs } : {}),
      };
      const server = await startServer({ dataDir: opts.dataDir, port: opts.port, host: opts.host, logger, blockCacheBytes, compressedTierShare, httpLimits, ...queryOptions, ...(cluster ? { cluster } : {}) });
      logger.info({ url: server.url, dataDir: opts.dataDir, memoryBudgetMB: Math.round(blockCacheBytes / 2 ** 20), compressedTierPercent: Math.round(compressedTierShare * 100) }, 'shardtable serving');
      await untilSignal();
      await server.close();
      await lock.release();
    });

  program
    .command('quickstart')
    .description('embedded Kinesis emulator, a 4-shard demo stream, live demo table on port 9000')
    .option('--port <port>', 'HTTP port', port, 9000)
    .option('--data-dir <dir>', 'data directory (wiped at start)', './segments/quickstart')
    .addOption(new Option('--source <source>', 'kinesis (embedded emulator) or dynamodb (moto, python3 -m moto.server)').choices(['kinesis', 'dynamodb']).default('kinesis'))
    .addHelpText(
      'after',
      helpText(['shardtable quickstart', 'shardtable quickstart --port 9100 --data-dir /tmp/demo', 'shardtable quickstart --source dynamodb'], `0 stopped by Ctrl-C; 1 could not start; ${USAGE_EXIT}`),
    )
    .action(async (opts: { port: number; dataDir: string; source: string }) => {
      if (opts.source === 'dynamodb') await runDynamoDbQuickstart(opts);
      else await runQuickstart(opts);
    });

  program
    .command('inspect <segment-file>')
    .description('show a segment file: metadata, columns, encodings, statistics, first rows')
    .option('--json', 'print one JSON document')
    .option('--rows <n>', 'how many rows to print', positiveInt)
    .option('--verify', 'check checksums and decode every block')
    .addHelpText('after', helpText(
      ['shardtable inspect segments/events/events__0__3__20240101T0000Z.seg', 'shardtable inspect events__0__3__20240101T0000Z.seg --verify --rows 0', 'shardtable inspect events__0__3__20240101T0000Z.seg --json | jq .metadata.numDocs'],
      `0 the file opened (and verified); 1 missing, corrupt, truncated or of an unknown version; ${USAGE_EXIT}`,
    ))
    .action(async (file: string, opts: { json?: boolean; rows?: number; verify?: boolean }) => {
      const bar = opts.verify ? progressBar(process.stderr, 'verify', file, 'blocks') : null;
      const onVerifyProgress = bar ? (done: number, total: number): void => bar.update(done, total) : undefined;
      try {
        process.exitCode = await runInspect(file, { ...opts, ...(onVerifyProgress ? { onVerifyProgress } : {}) }, (line) => process.stdout.write(`${line}\n`));
      } finally {
        bar?.stop();
      }
    });

  program
    .command('produce')
    .description('write JSON lines into a Kinesis stream (batched PutRecords)')
    .requiredOption('--stream <name>', 'stream name')
    .option('--file <file>', 'JSON lines file (default: stdin)')
    .option('--partition-key <field>', 'record field to use as the partition key (default: random)')
    .option('--endpoint <url>', 'Kinesis endpoint (default: AWS_ENDPOINT_URL_KINESIS or AWS)')
    .option('--region <region>', 'AWS region')
    .addHelpText('after', helpText(
      ['shardtable produce --stream events --file events.jsonl --partition-key userId', 'cat events.jsonl | shardtable produce --stream events --endpoint http://127.0.0.1:4567'],
      `0 every line written; 1 a bad line (named; the lines before it are written) or a stream error; ${USAGE_EXIT}`,
    ))
    .action(async (opts: { stream: string; file?: string; partitionKey?: string; endpoint?: string; region?: string }) => {
      const bar = opts.file !== undefined ? progressBar(process.stderr, 'produce', opts.file, 'bytes') : null;
      const total = opts.file !== undefined && bar ? statSync(opts.file).size : 0;
      let result: { records: number };
      try {
        result = await runProduce({ ...opts, ...(bar ? { onProgress: (bytes: number) => bar.update(Math.min(bytes, total), total) } : {}) });
      } finally {
        bar?.stop();
      }
      process.stderr.write(`produced ${result.records} records into ${opts.stream}\n`);
    });

  program
    .command('export <segment-file>')
    .description('export a segment file (Avro object container, zstandard codec)')
    .requiredOption('--format <format>', 'output format (avro)')
    .requiredOption('--out <file>', 'output file')
    .addHelpText('after', helpText(
      ['shardtable export segments/events/events__0__3__20240101T0000Z.seg --format avro --out /tmp/events.avro'],
      `0 written; 1 missing or corrupt segment (nothing written); ${USAGE_EXIT} (also a --format other than avro)`,
    ))
    .action(async (file: string, opts: { format: string; out: string }) => {
      if (opts.format !== 'avro') {
        process.stderr.write(`error: --format ${opts.format}: only "avro" is supported\n`);
        process.exitCode = EXIT.USAGE;
        return;
      }
      const bar = progressBar(process.stderr, 'export', file, 'rows');
      try {
        await runExport(file, { format: 'avro', out: opts.out, onRows: (done, total) => bar.update(done, total) });
      } finally {
        bar.stop();
      }
    });

  program
    .command('query <sql>')
    .description("run SQL on a server's /query/sql (Pinot's PostQuery) and print the result")
    .option('--server <url>', 'server base URL', process.env.SHARDTABLE_SERVER ?? DEFAULT_SERVER)
    .addOption(new Option('--format <format>', 'output: an aligned table, the broker response JSON, or CSV').choices(QUERY_FORMATS).default('table'))
    .option('--timeout-ms <ms>', 'give up waiting for the answer after this', positiveInt, 60_000)
    .addHelpText('after', helpText(
      [
        'shardtable query "SELECT country, count(*) FROM clickstream GROUP BY country ORDER BY 2 DESC LIMIT 5"',
        'shardtable query "SELECT * FROM clickstream LIMIT 100" --format csv > rows.csv',
        'shardtable query "SELECT count(*) FROM clickstream" --server http://10.0.0.5:9000 --format json',
      ],
      `0 answered; 1 the answer holds exceptions (printed as "errorCode: message" on stderr) or the server refused the request; ${USAGE_EXIT}; 3 no server answered at --server`,
    ))
    .action(async (sql: string, opts: { server: string; format: QueryFormat; timeoutMs: number }) => {
      process.exitCode = await runQuery(sql, opts, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
    });

  program
    .command('segments')
    .description("list a table's sealed segments: partition, rows, bytes on disk, time range")
    .requiredOption('--table <name>', 'table name')
    .option('--server <url>', 'server base URL', process.env.SHARDTABLE_SERVER ?? DEFAULT_SERVER)
    .option('--data-dir <dir>', 'read the segment files under <dir>/<table>/ instead of asking a server (footers only)')
    .option('--json', 'print the summaries as JSON')
    .option('--timeout-ms <ms>', 'give up waiting for the server after this', positiveInt, 30_000)
    .addHelpText('after', helpText(
      ['shardtable segments --table clickstream', 'shardtable segments --table events --data-dir ./segments --json'],
      `0 listed; 1 unknown table or unreadable folder; ${USAGE_EXIT}; 3 no server answered at --server`,
    ))
    .action(async (opts: { table: string; server: string; dataDir?: string; json?: boolean; timeoutMs: number }) => {
      const io = { out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t) };
      process.exitCode = await runSegments({ table: opts.table, server: opts.server, ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}), json: opts.json === true, timeoutMs: opts.timeoutMs }, io);
    });

  program
    .command('status <table>')
    .description("a table's ingestion: stream reached, initial load phase and progress (LOADING, then STREAMING), partitions (GET /tables/{table}/consumingSegmentsInfo)")
    .option('--server <url>', 'server base URL', process.env.SHARDTABLE_SERVER ?? DEFAULT_SERVER)
    .option('--json', 'print the server\'s answer as JSON')
    .option('--wait-loaded', 'wait until the initial load is done, with a progress bar on a terminal, then print the status')
    .option('--timeout-ms <ms>', 'give up waiting for one answer after this', positiveInt, 30_000)
    .addHelpText('after', helpText(
      ['shardtable status orders', 'shardtable status orders --wait-loaded', 'shardtable status events --json --server http://10.0.0.5:9000'],
      `0 shown (with --wait-loaded: the load is done); 1 unknown table, or while waiting the stream was recreated or a load partition stopped; ${USAGE_EXIT}; 3 no server answered at --server`,
    ))
    .action(async (table: string, opts: { server: string; json?: boolean; waitLoaded?: boolean; timeoutMs: number }) => {
      const io = { out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t) };
      process.exitCode = await runStatus(table, { server: opts.server, json: opts.json === true, waitLoaded: opts.waitLoaded === true, timeoutMs: opts.timeoutMs }, io);
    });

  program
    .command('reset-stream <table>')
    .description("move a table whose stream was deleted and created again onto the new stream: the old stream's segments are dropped (POST /tables/{table}/resetStream)")
    .option('--server <url>', 'server base URL', process.env.SHARDTABLE_SERVER ?? DEFAULT_SERVER)
    .addOption(new Option('--consume-from <where>', "where the new stream is read from: its oldest record or its newest").choices(['smallest', 'largest']).default('smallest'))
    .option('--timeout-ms <ms>', 'give up waiting for the answer after this', positiveInt, 60_000)
    .addHelpText('after', helpText(
      ['shardtable reset-stream events', 'shardtable reset-stream events --consume-from largest --server http://10.0.0.5:9000'],
      `0 reset done; 1 refused (the stream was not recreated, or no such table); ${USAGE_EXIT}; 3 no server answered at --server`,
    ))
    .action(async (table: string, opts: { server: string; consumeFrom: 'smallest' | 'largest'; timeoutMs: number }) => {
      process.exitCode = await runResetStream(table, opts, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
    });

  program
    .command('rewind <table>')
    .description('replay a running table\'s stream from a time or from TRIM_HORIZON, replacing the rows ingested after that point (POST /tables/{table}/rewind)')
    .requiredOption('--to <time>', 'epoch millis, an ISO-8601 time (2026-01-01T00:00:00Z) or TRIM_HORIZON')
    .option('--server <url>', 'server base URL', process.env.SHARDTABLE_SERVER ?? DEFAULT_SERVER)
    .option('--timeout-ms <ms>', 'give up waiting for the answer after this', positiveInt, 60_000)
    .addHelpText('after', helpText(
      ['shardtable rewind events --to 2026-01-01T00:00:00Z', 'shardtable rewind events --to TRIM_HORIZON --server http://10.0.0.5:9000'],
      `0 rewind started (progress: consumingSegmentsInfo); 1 refused (bad or future time, upsert table, a rewind still running, or no such table); ${USAGE_EXIT}; 3 no server answered at --server`,
    ))
    .action(async (table: string, opts: { server: string; to: string; timeoutMs: number }) => {
      process.exitCode = await runRewind(table, opts, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
    });

  program
    .command('ingest')
    .description("read a table's stream once, from its checkpoint to the tip as of now, seal it, and exit (do not run beside `serve` on the same data dir)")
    .requiredOption('--once', 'read to the tip as of the start, seal, exit (the only mode)')
    .requiredOption('--table <name>', 'table name in the data dir catalog')
    .option('--data-dir <dir>', 'data directory', './segments')
    .addHelpText('after', `${helpText(
      ['shardtable ingest --once --table clickstream', 'shardtable ingest --once --table events --data-dir /var/lib/shardtable'],
      `0 every shard done; 1 a shard or the table failed, or interrupted; ${USAGE_EXIT}; 4 the data dir is in use (a server or another ingest holds its lock)`,
    )}

Each shard is read from the end of its last sealed segment until a record that arrived after the
command started, the tip of the shard, or the end of a closed shard; what was read is sealed.`)
    .action(async (opts: { table: string; dataDir: string }) => {
      const logger = createLogger(process.env.SHARDTABLE_LOG_LEVEL ?? 'warn');
      process.exitCode = await runIngestOnce({
        ...opts,
        logger,
        out: (t) => process.stdout.write(t),
        err: (t) => process.stderr.write(t),
        progressStream: process.stderr,
        interrupted: untilSignal(),
      });
      process.exit();
    });

  return program;
}

/**
 * Runs the command line. A usage error (unknown option, missing argument) exits with
 * `EXIT.USAGE` after commander printed it; `--help` and `--version` exit 0.
 */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
}

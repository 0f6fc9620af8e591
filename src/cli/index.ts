import { Command, InvalidArgumentError } from 'commander';
import { createLogger } from '../logger.js';
import { BLOCK_CACHE_ENV, parseBlockCacheMb } from '../segment/reader/block-cache.js';
import { DEFAULT_HTTP_LIMITS } from '../server/http-limits.js';
import type { HttpLimits } from '../server/http-limits.js';
import { runExport } from './export.js';
import { runInspect } from './inspect.js';
import { runProduce } from './produce.js';
import { runQuickstart } from './quickstart.js';
import { startServer, untilSignal } from './serve.js';

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

function blockCacheMb(value: string): number {
  try {
    return parseBlockCacheMb(value, '--block-cache-mb');
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
    .showHelpAfterError();

  program
    .command('serve')
    .description('run the server: reload tables and segments under the data dir and resume consuming')
    .option('--data-dir <dir>', 'data directory', './segments')
    .option('--port <port>', 'HTTP port', port, 9000)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--block-cache-mb <mb>', `MiB of decoded segment blocks kept in memory, 0 = off (default: env ${BLOCK_CACHE_ENV}, else a quarter of memory up to 1024)`, blockCacheMb)
    .option('--request-timeout-ms <ms>', 'a request (headers and body) must arrive within this, else 408; 0 = none', positiveInt, DEFAULT_HTTP_LIMITS.requestTimeoutMs)
    .option('--headers-timeout-ms <ms>', 'request headers must arrive within this, else 408', positiveInt, DEFAULT_HTTP_LIMITS.headersTimeoutMs)
    .option('--keep-alive-timeout-ms <ms>', 'idle keep-alive connections are closed after this', positiveInt, DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs)
    .option('--idle-timeout-ms <ms>', 'connections silent this long are closed; 0 = never', positiveInt, DEFAULT_HTTP_LIMITS.idleTimeoutMs)
    .option('--max-connections <n>', 'open HTTP connections at most; more are closed unanswered; 0 = no cap', positiveInt, DEFAULT_HTTP_LIMITS.maxConnections)
    .option('--max-body-bytes <bytes>', 'largest request body, else 413', positiveInt, DEFAULT_HTTP_LIMITS.bodyLimit)
    .action(async (opts: { dataDir: string; port: number; host: string; blockCacheMb?: number } & ServeLimitFlags) => {
      const logger = createLogger();
      const blockCacheBytes = opts.blockCacheMb ?? parseBlockCacheMb(process.env[BLOCK_CACHE_ENV]);
      const httpLimits: HttpLimits = {
        requestTimeoutMs: opts.requestTimeoutMs,
        headersTimeoutMs: opts.headersTimeoutMs,
        keepAliveTimeoutMs: opts.keepAliveTimeoutMs,
        idleTimeoutMs: opts.idleTimeoutMs,
        maxConnections: opts.maxConnections,
        bodyLimit: opts.maxBodyBytes,
      };
      const server = await startServer({ dataDir: opts.dataDir, port: opts.port, host: opts.host, logger, blockCacheBytes, httpLimits });
      logger.info({ url: server.url, dataDir: opts.dataDir, blockCacheMB: Math.round(blockCacheBytes / 2 ** 20) }, 'shardtable serving');
      await untilSignal();
      await server.close();
    });

  program
    .command('quickstart')
    .description('embedded Kinesis emulator, a 4-shard demo stream, live demo table on port 9000')
    .option('--port <port>', 'HTTP port', port, 9000)
    .option('--data-dir <dir>', 'data directory (wiped at start)', './segments/quickstart')
    .action(async (opts: { port: number; dataDir: string }) => {
      await runQuickstart(opts);
    });

  program
    .command('inspect <segment-file>')
    .description('show a segment file: metadata, columns, encodings, statistics, first rows')
    .option('--json', 'print one JSON document')
    .option('--rows <n>', 'how many rows to print', positiveInt)
    .option('--verify', 'check checksums and decode every block')
    .action(async (file: string, opts: { json?: boolean; rows?: number; verify?: boolean }) => {
      process.exitCode = await runInspect(file, opts, (line) => process.stdout.write(`${line}\n`));
    });

  program
    .command('produce')
    .description('write JSON lines into a Kinesis stream (batched PutRecords)')
    .requiredOption('--stream <name>', 'stream name')
    .option('--file <file>', 'JSON lines file (default: stdin)')
    .option('--partition-key <field>', 'record field to use as the partition key (default: random)')
    .option('--endpoint <url>', 'Kinesis endpoint (default: AWS_ENDPOINT_URL_KINESIS or AWS)')
    .option('--region <region>', 'AWS region')
    .action(async (opts: { stream: string; file?: string; partitionKey?: string; endpoint?: string; region?: string }) => {
      const result = await runProduce(opts);
      process.stderr.write(`produced ${result.records} records into ${opts.stream}\n`);
    });

  program
    .command('export <segment-file>')
    .description('export a segment file (Avro object container, zstandard codec)')
    .requiredOption('--format <format>', 'output format (avro)')
    .requiredOption('--out <file>', 'output file')
    .action(async (file: string, opts: { format: string; out: string }) => {
      if (opts.format !== 'avro') throw new InvalidArgumentError(`--format ${opts.format}: only "avro" is supported`);
      await runExport(file, { format: 'avro', out: opts.out });
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildCli().parseAsync(argv);
}

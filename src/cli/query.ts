import { EXIT } from './exit-codes.js';
import { formatCsv, formatTable } from './result-format.js';
import type { ResultTable } from './result-format.js';

/** Output formats of `shardtable query`. */
export const QUERY_FORMATS = ['table', 'json', 'csv'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

/** The default server, as `serve` and `quickstart` listen by default. */
export const DEFAULT_SERVER = 'http://127.0.0.1:9000';

export interface QueryOptions {
  /** Base URL of a shardtable (or Pinot broker) server. */
  readonly server: string;
  readonly format: QueryFormat;
  /** Give up waiting for the answer after this many millis. */
  readonly timeoutMs: number;
}

/** Where the command writes: stdout for results, stderr for errors and notes. */
export interface QueryIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

interface BrokerResponse {
  readonly resultTable?: ResultTable;
  readonly exceptions?: readonly { readonly errorCode: number; readonly message: string }[];
  readonly numDocsScanned?: number;
  readonly timeUsedMs?: number;
}

/**
 * `shardtable query "SQL" [--server URL] [--format table|json|csv]`: Pinot's `PostQuery` as a
 * command. POSTs `{"sql"}` to `<server>/query/sql` and prints the result: an aligned table with
 * column names and types (`table`), the broker response as the server sent it (`json`), or a
 * header line and rows (`csv`, RFC 4180 quoting). Returns the exit code ({@link EXIT}): 0 on an
 * answer without exceptions; `QUERY_FAILED` when the broker response holds exceptions (each
 * printed on stderr as `errorCode: message`) or the server refused the request; `UNREACHABLE`
 * when no server answers at the URL.
 *
 * @example
 *   process.exitCode = await runQuery('SELECT count(*) FROM events', { server: DEFAULT_SERVER, format: 'table', timeoutMs: 60_000 }, io);
 */
export async function runQuery(sql: string, opts: QueryOptions, io: QueryIo): Promise<number> {
  const url = `${opts.server.replace(/\/+$/, '')}/query/sql`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ sql }),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    text = await response.text();
  } catch (err) {
    io.err(`error: ${unreachable(err, opts)}\n`);
    return EXIT.UNREACHABLE;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    io.err(`error: ${url} answered HTTP ${response.status} with no JSON (is it a shardtable server?): ${text.slice(0, 200)}\n`);
    return EXIT.QUERY_FAILED;
  }
  if (!response.ok) {
    const error = (body as { error?: unknown }).error;
    io.err(`error: HTTP ${response.status}: ${typeof error === 'string' ? error : text.slice(0, 500)}\n`);
    return EXIT.QUERY_FAILED;
  }
  const broker = body as BrokerResponse;
  if (opts.format === 'json') io.out(`${text.trimEnd()}\n`);
  const exceptions = broker.exceptions ?? [];
  if (exceptions.length > 0) {
    for (const e of exceptions) io.err(`${e.errorCode}: ${e.message}\n`);
    return EXIT.QUERY_FAILED;
  }
  const table = broker.resultTable ?? { dataSchema: { columnNames: [], columnDataTypes: [] }, rows: [] };
  if (opts.format === 'csv') io.out(formatCsv(table));
  if (opts.format === 'table') {
    io.out(formatTable(table));
    const n = table.rows.length;
    io.out(`(${n} row${n === 1 ? '' : 's'}; ${broker.numDocsScanned ?? 0} docs scanned in ${broker.timeUsedMs ?? 0} ms)\n`);
  }
  return EXIT.OK;
}

function unreachable(err: unknown, opts: QueryOptions): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer from ${opts.server} within ${opts.timeoutMs} ms (--timeout-ms)`;
  const why = e.cause?.code ?? e.cause?.message ?? e.message;
  return `cannot reach a shardtable server at ${opts.server} (${why}); start one with \`shardtable serve\` or pass --server URL`;
}

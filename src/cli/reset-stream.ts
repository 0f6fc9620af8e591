import { EXIT } from './exit-codes.js';

export interface ResetStreamOptions {
  readonly server: string;
  readonly consumeFrom: 'smallest' | 'largest';
  readonly timeoutMs: number;
}

/**
 * `shardtable reset-stream <table>`: `POST /tables/{table}/resetStream?consumeFrom=...` on a
 * running server (docs/operations.md, "A recreated stream"). Prints the server's description;
 * returns 0 when the reset was done, 1 when the server refused it (409: the stream was not
 * recreated; 404: no such table), 3 when no server answered.
 *
 * @example
 *   process.exitCode = await runResetStream('events', { server: 'http://127.0.0.1:9000', consumeFrom: 'smallest', timeoutMs: 60_000 }, io);
 */
export async function runResetStream(table: string, opts: ResetStreamOptions, io: { out(text: string): void; err(text: string): void }): Promise<number> {
  const url = `${opts.server.replace(/\/+$/, '')}/tables/${encodeURIComponent(table)}/resetStream?consumeFrom=${opts.consumeFrom}`;
  return postForDescription(url, opts, io);
}

/**
 * POSTs `url` and prints the answer's `description` (0), or the server's error (1 on an HTTP
 * error, 3 when no server answered within `timeoutMs`). Shared by the table operations.
 */
export async function postForDescription(url: string, opts: { readonly server: string; readonly timeoutMs: number }, io: { out(text: string): void; err(text: string): void }): Promise<number> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: 'POST', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(opts.timeoutMs) });
    text = await response.text();
  } catch (err) {
    io.err(`error: no answer from ${opts.server}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.UNREACHABLE;
  }
  let body: { error?: unknown; description?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Reported below with the raw text.
  }
  if (!response.ok) {
    io.err(`error: HTTP ${response.status}: ${typeof body.error === 'string' ? body.error : text.slice(0, 500)}\n`);
    return EXIT.FAILED;
  }
  io.out(`${typeof body.description === 'string' ? body.description : text}\n`);
  return EXIT.OK;
}

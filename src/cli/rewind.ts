import { postForDescription } from './reset-stream.js';

export interface RewindOptions {
  readonly server: string;
  /** Epoch millis, an ISO-8601 time, or `TRIM_HORIZON` (checked by the server). */
  readonly to: string;
  readonly timeoutMs: number;
}

/**
 * `shardtable rewind <table> --to <time|TRIM_HORIZON>`: `POST /tables/{table}/rewind?to=...` on a
 * running server (docs/operations.md, "Rewind"). Prints the server's description; returns 0 when
 * the rewind started, 1 when the server refused it (400: bad or future time, upsert table; 404: no
 * such table; 409: a rewind still running), 3 when no server answered.
 *
 * @example
 *   process.exitCode = await runRewind('events', { server: 'http://127.0.0.1:9000', to: '2026-01-01T00:00:00Z', timeoutMs: 60_000 }, io);
 */
export function runRewind(table: string, opts: RewindOptions, io: { out(text: string): void; err(text: string): void }): Promise<number> {
  const url = `${opts.server.replace(/\/+$/, '')}/tables/${encodeURIComponent(table)}/rewind?to=${encodeURIComponent(opts.to)}`;
  return postForDescription(url, opts, io);
}

import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { deserialize } from 'node:v8';
import type { PartialQueryRequest, ServedSegment, ServerPartial } from '../../query/index.js';

/** The content type of a serialised `ServerPartial` (`node:v8` `serialize`). */
export const PARTIAL_CONTENT_TYPE = 'application/x-shardtable-partial';

/** A server answered a query error (bad SQL, a function failing on a value): the query fails with it. */
export class PeerQueryError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'PeerQueryError';
  }
}

/** One server of the cluster as a broker talks to it: itself in process, the others over HTTP. */
export interface ClusterPeer {
  readonly serverId: string;
  readonly url: string;
  /** What it serves for `table`; null when the table is not on that server. */
  listSegments(table: string, signal: AbortSignal): Promise<ServedSegment[] | null>;
  /** Its partial answer over exactly `request.segments`. Throws `PeerQueryError` for a query error, anything else when it did not answer. */
  query(request: PartialQueryRequest, signal: AbortSignal): Promise<ServerPartial>;
}

interface ErrorBody {
  code?: number;
  error?: string;
  errorCode?: number;
}

interface RawAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

function errorOf(answer: RawAnswer): ErrorBody {
  const text = answer.body.toString('utf8');
  try {
    return JSON.parse(text) as ErrorBody;
  } catch {
    return { error: text.slice(0, 500) };
  }
}

/** Keep-alive connections to peers, shared by every broker of the process. */
const AGENTS = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * One request with `node:http` on a keep-alive agent, the body written at once with its length.
 * (Measured: `fetch` with a string body took ~18 ms per POST on loopback, its headers and body
 * leaving in two writes that wait on a delayed ACK; this takes ~1 ms.)
 */
function call(url: string, method: 'GET' | 'POST', signal: AbortSignal, body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const https = url.startsWith('https:');
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    const headers: Record<string, string | number> = { accept: `${PARTIAL_CONTENT_TYPE}, application/json` };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const req = (https ? httpsRequest : httpRequest)(url, { method, headers, agent: https ? AGENTS.https : AGENTS.http, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * `call`, once more if a kept-alive connection was reset before any answer (the peer closed it as
 * idle just as it was reused); the requests are reads, so a retry is safe.
 */
async function callRetried(url: string, method: 'GET' | 'POST', signal: AbortSignal, body?: string): Promise<RawAnswer> {
  try {
    return await call(url, method, signal, body);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET' || signal.aborted) throw err;
    return call(url, method, signal, body);
  }
}

/** A server reached over `/internal/cluster/` (docs/cluster.md). */
export class HttpPeer implements ClusterPeer {
  constructor(
    readonly serverId: string,
    readonly url: string,
  ) {}

  async listSegments(table: string, signal: AbortSignal): Promise<ServedSegment[] | null> {
    const answer = await callRetried(`${this.url}/internal/cluster/tables/${encodeURIComponent(table)}/segments`, 'GET', signal);
    if (answer.status === 404) {
      const body = errorOf(answer);
      // ST005: the table is not on that server (a 404 of any other kind is an error: wrong URL, old build).
      if (body.error !== undefined && /^table .* does not exist$/.test(body.error)) return null;
      throw new Error(`HTTP 404: ${body.error ?? 'not found'}`);
    }
    if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${errorOf(answer).error ?? ''}`);
    const body = JSON.parse(answer.body.toString('utf8')) as { segments?: ServedSegment[] };
    if (!Array.isArray(body.segments)) throw new Error('the segment list has no segments array');
    return body.segments;
  }

  /** Any JSON answer of the server (`GET url + path`): its status and parsed body. */
  async getJson(path: string, signal: AbortSignal): Promise<{ status: number; json: unknown }> {
    const answer = await callRetried(`${this.url}${path}`, 'GET', signal);
    return { status: answer.status, json: JSON.parse(answer.body.toString('utf8')) as unknown };
  }

  async query(request: PartialQueryRequest, signal: AbortSignal): Promise<ServerPartial> {
    const answer = await callRetried(`${this.url}/internal/cluster/query`, 'POST', signal, JSON.stringify(request));
    if (answer.status !== 200) {
      const body = errorOf(answer);
      if (typeof body.errorCode === 'number') throw new PeerQueryError(body.errorCode, body.error ?? '');
      throw new Error(`HTTP ${answer.status}: ${body.error ?? ''}`);
    }
    if (!answer.contentType.startsWith(PARTIAL_CONTENT_TYPE)) throw new Error(`answered ${answer.contentType || 'no content type'}, not ${PARTIAL_CONTENT_TYPE}`);
    return deserialize(answer.body) as ServerPartial;
  }
}

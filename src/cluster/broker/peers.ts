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

async function errorOf(response: Response): Promise<ErrorBody> {
  const text = await response.text();
  try {
    return JSON.parse(text) as ErrorBody;
  } catch {
    return { error: text.slice(0, 500) };
  }
}

/** A server reached over `/internal/cluster/` (docs/cluster.md). */
export class HttpPeer implements ClusterPeer {
  constructor(
    readonly serverId: string,
    readonly url: string,
  ) {}

  async listSegments(table: string, signal: AbortSignal): Promise<ServedSegment[] | null> {
    const response = await fetch(`${this.url}/internal/cluster/tables/${encodeURIComponent(table)}/segments`, { signal });
    if (response.status === 404) {
      const body = await errorOf(response);
      // ST005: the table is not on that server (a 404 of any other kind is an error: wrong URL, old build).
      if (body.error !== undefined && /^table .* does not exist$/.test(body.error)) return null;
      throw new Error(`HTTP 404: ${body.error ?? 'not found'}`);
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await errorOf(response)).error ?? ''}`);
    const body = (await response.json()) as { segments?: ServedSegment[] };
    if (!Array.isArray(body.segments)) throw new Error('the segment list has no segments array');
    return body.segments;
  }

  async query(request: PartialQueryRequest, signal: AbortSignal): Promise<ServerPartial> {
    const response = await fetch(`${this.url}/internal/cluster/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: PARTIAL_CONTENT_TYPE },
      body: JSON.stringify(request),
      signal,
    });
    if (!response.ok) {
      const body = await errorOf(response);
      if (typeof body.errorCode === 'number') throw new PeerQueryError(body.errorCode, body.error ?? '');
      throw new Error(`HTTP ${response.status}: ${body.error ?? ''}`);
    }
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith(PARTIAL_CONTENT_TYPE)) throw new Error(`answered ${type || 'no content type'}, not ${PARTIAL_CONTENT_TYPE}`);
    return deserialize(Buffer.from(await response.arrayBuffer())) as ServerPartial;
  }
}

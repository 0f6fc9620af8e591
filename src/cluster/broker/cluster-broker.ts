import type { Logger } from '../../logger.js';
import { PartialMerge, QUERY_ERROR_CODES, QueryError, addStats, emptyStats } from '../../query/index.js';
import type { QueryException, QueryScatter, ScatterRequest, ScatterResult, ServedSegment, ServerPartial } from '../../query/index.js';
import type { CommittedSegments } from './committed-segments.js';
import { PeerQueryError } from './peers.js';
import type { ClusterPeer } from './peers.js';
import { routeSegments } from './routing.js';

/** A server's own timeout: it did not answer in time, like a server that is down (the rest is still merged). */
const EXECUTION_TIMEOUT_CODE = QUERY_ERROR_CODES.EXECUTION_TIMEOUT;

/** Unserved segments named in one exception at most (the count says how many there are). */
const NAMED_SEGMENTS = 20;

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** `promise`, or a rejection once `signal` aborts (a peer in process does not watch the signal itself). */
function settle<T>(promise: Promise<T>, signal: AbortSignal): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    const onAbort = (): void => resolve({ ok: false, error: signal.reason });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => resolve({ ok: true, value }),
      (error: unknown) => resolve({ ok: false, error }),
    ).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof BrokerTimeout) return `no answer within the query's timeoutMs=${timeoutMs}`;
  const e = error as { message?: string; cause?: { code?: string; message?: string } } | null;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(error)}${cause !== undefined ? ` (${cause})` : ''}`;
}

class BrokerTimeout extends Error {}

/** The segment lists are asked for within this, and within half the time the query has left. */
const LIST_TIMEOUT_MS = 2_000;

class ListTimeout extends Error {
  constructor(ms: number) {
    super(`no segment list within ${ms} ms (or half the query's time left)`);
  }
}

/**
 * The cluster's broker (docs/cluster.md, "Broker"): for a planned single-table query it asks every
 * live server what it serves of the table, routes each segment to exactly one of them
 * (`routeSegments`), sends each server its share in parallel within the query's deadline, and
 * merges the partials in server-id order with `PartialMerge` (the worker pool's merge). A server
 * that fails or does not answer in time, and committed segments (`<prefix>-segments`) nobody
 * serves, make the answer partial with an exception naming them. A query error a server answers
 * (bad value in a function) fails the query as it would on one server.
 */
export class ClusterBroker implements QueryScatter {
  constructor(
    private readonly peers: () => readonly ClusterPeer[],
    private readonly committed: Pick<CommittedSegments, 'names'> | null,
    private readonly logger?: Logger,
  ) {}

  async execute(req: ScatterRequest): Promise<ScatterResult> {
    const peers = this.peers();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new BrokerTimeout()), Math.max(1, req.deadlineMs - Date.now()));
    const { signal } = controller;
    const timeoutMs = req.plan.options.timeoutMs;
    try {
      const committedNames = this.committedNames(req.table);
      // A hung server must not use up the whole deadline before the query is even sent.
      const listTimeout = new AbortController();
      const listTimer = setTimeout(() => listTimeout.abort(new ListTimeout(LIST_TIMEOUT_MS)), Math.max(1, Math.min(LIST_TIMEOUT_MS, (req.deadlineMs - Date.now()) / 2)));
      const listSignal = AbortSignal.any([signal, listTimeout.signal]);
      const listings = await Promise.all(peers.map((peer) => settle(peer.listSegments(req.table, listSignal), listSignal).then((outcome) => ({ peer, outcome }))));
      clearTimeout(listTimer);
      const exceptions: QueryException[] = [];
      const notResponding = (peer: ClusterPeer, what: string, error: unknown): void => {
        const reason = reasonOf(error, timeoutMs);
        this.logger?.warn({ server: peer.serverId, url: peer.url, reason }, `cluster broker: a server did not answer ${what}`);
        const e = new QueryError('SERVER_NOT_RESPONDING', { server: peer.serverId, url: peer.url, what, reason });
        exceptions.push({ errorCode: e.errorCode, message: e.message });
      };
      const served: { serverId: string; segments: ServedSegment[] }[] = [];
      let failedListings = 0;
      for (const { peer, outcome } of listings) {
        if (!outcome.ok) {
          failedListings++;
          notResponding(peer, 'which segments it serves', outcome.error);
        } else if (outcome.value !== null) served.push({ serverId: peer.serverId, segments: outcome.value });
      }
      const routes = routeSegments(served);
      const byId = new Map(peers.map((p) => [p.serverId, p]));
      const asked = [...routes.keys()].sort().map((id) => byId.get(id)!);
      const answers = await Promise.all(
        asked.map((peer) =>
          settle(peer.query({ sql: req.sql, ...(req.queryOptions !== undefined ? { queryOptions: req.queryOptions } : {}), table: req.table, segments: routes.get(peer.serverId)!, startedMs: req.startedMs }, signal), signal),
        ),
      );
      const merge = new PartialMerge(req.plan);
      const stats = emptyStats();
      let responded = 0;
      for (let i = 0; i < asked.length; i++) {
        const outcome = answers[i]!;
        if (outcome.ok) {
          const partial: ServerPartial = outcome.value;
          merge.add(partial.partial);
          addStats(stats, partial.stats);
          responded++;
          continue;
        }
        const { error } = outcome;
        if (error instanceof PeerQueryError && error.errorCode !== EXECUTION_TIMEOUT_CODE) {
          return { result: merge.finish(stats), numServersQueried: asked.length + failedListings, numServersResponded: responded, partial: true, exceptions: [], failure: { errorCode: error.errorCode, message: error.message } };
        }
        notResponding(asked[i]!, 'its share of the query', error);
      }
      const listed = new Set(served.flatMap((s) => s.segments.map((seg) => seg.name)));
      const unserved = (await committedNames).filter((name) => !listed.has(name)).sort();
      if (unserved.length > 0) {
        const shown = unserved.slice(0, NAMED_SEGMENTS).join(', ') + (unserved.length > NAMED_SEGMENTS ? ', …' : '');
        const e = new QueryError('SEGMENTS_UNAVAILABLE', { count: unserved.length, table: req.table, segments: shown });
        exceptions.push({ errorCode: e.errorCode, message: e.message });
      }
      return {
        result: merge.finish(stats),
        numServersQueried: asked.length + failedListings,
        numServersResponded: responded,
        partial: exceptions.length > 0,
        exceptions,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The committed segments of `table`; none when they cannot be read (logged: the answer is then not checked for gaps). */
  private async committedNames(table: string): Promise<string[]> {
    if (this.committed === null) return [];
    try {
      return await this.committed.names(table);
    } catch (err) {
      this.logger?.warn({ err: (err as Error).message, table }, 'cluster broker: could not read the committed segments; the answer is not checked for unserved ones');
      return [];
    }
  }
}

import { deserialize, serialize } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterBroker, LivenessTracker, PeerQueryError, routeSegments } from '../../../src/cluster/broker/index.js';
import type { ClusterPeer } from '../../../src/cluster/broker/index.js';
import { QueryEngine, QueryError, listServedSegments, runPartialQuery, writeBrokerResponse } from '../../../src/query/index.js';
import type { PartialQueryRequest, QueryTable, ServerPartial, TableResolver } from '../../../src/query/index.js';
import { buildTableSegments } from '../query/query-fixtures.js';
import type { FixtureTable } from '../query/query-fixtures.js';
import { VISITS_SCHEMA, visitRows } from '../../helpers/visits-table.js';

const SCHEMA = VISITS_SCHEMA;
const rows = (n: number): unknown[][] => visitRows(n, 97);

/** Answers compared between three servers behind a broker and one engine over all segments. */
const QUERIES = [
  'SELECT count(*), sum(clicks), min(amount), max(amount), avg(amount), minmaxrange(rank) FROM visits',
  'SELECT country, count(*), sum(amount) FROM visits GROUP BY country ORDER BY country',
  'SELECT user, count(*) AS n FROM visits GROUP BY user ORDER BY n DESC, user LIMIT 7',
  'SELECT distinctcount(user), distinctcount(id), distinctcountmv(tags), percentile(amount, 90), percentileest(clicks, 50) FROM visits',
  'SELECT country, distinctcount(rank), percentile(amount, 50), mode(clicks) FROM visits GROUP BY country ORDER BY country',
  'SELECT country, count(*) FILTER (WHERE clicks > 5) FROM visits WHERE rank < 9 GROUP BY country HAVING count(*) > 10 ORDER BY 2 DESC, country',
  'SELECT DISTINCT country FROM visits ORDER BY country LIMIT 3',
  'SELECT user, id, amount FROM visits ORDER BY amount DESC, id LIMIT 10',
  "SELECT user, ts FROM visits WHERE country = 'c3' ORDER BY ts LIMIT 5 OFFSET 2",
  'SELECT count(*) FROM visits WHERE id > 1000000',
];

/** TEST ONLY: a server in process that serves some of the fixture's segments, its partials through the wire format (`node:v8`). */
function serverPeer(serverId: string, table: FixtureTable, names: readonly string[]): ClusterPeer & { fail: Error | null; hang: boolean } {
  const own = new Set(names);
  const queryTable: QueryTable = { ...table.queryTable, snapshot: () => table.queryTable.snapshot().filter((s) => own.has(s.name)) };
  const resolver: TableResolver = { resolve: (name) => (name.toLowerCase() === 'visits' ? queryTable : undefined) };
  const peer = {
    serverId,
    url: `http://${serverId}.invalid`,
    fail: null as Error | null,
    /** Never answers (a stopped process): only the broker's deadlines end the wait. */
    hang: false,
    async listSegments(t: string) {
      if (peer.fail) throw peer.fail;
      if (peer.hang) await new Promise(() => undefined);
      return t === 'visits' ? listServedSegments(resolver, t) : null;
    },
    async query(request: PartialQueryRequest): Promise<ServerPartial> {
      if (peer.fail) throw peer.fail;
      try {
        return deserialize(serialize(await runPartialQuery(resolver, request))) as ServerPartial;
      } catch (err) {
        if (err instanceof QueryError) throw new PeerQueryError(err.errorCode, err.message);
        throw err;
      }
    },
  };
  return peer;
}

describe('cluster broker: scatter, route, merge', () => {
  let table: FixtureTable;
  let peers: ReturnType<typeof serverPeer>[];
  let committed: string[];
  let broker: QueryEngine;
  let single: QueryEngine;

  beforeAll(async () => {
    table = await buildTableSegments(SCHEMA, rows(6000) as never, { segmentRows: 700 });
    const names = table.queryTable.snapshot().map((s) => s.name);
    // Three servers; segment 0 is on two of them (it must still be read once).
    peers = [serverPeer('a', table, names.slice(0, 3)), serverPeer('b', table, [names[0]!, ...names.slice(3, 6)]), serverPeer('c', table, names.slice(6))];
    committed = [];
    const resolver: TableResolver = { resolve: (name) => (name.toLowerCase() === 'visits' ? table.queryTable : undefined) };
    broker = new QueryEngine(resolver, { parallel: null, scatter: new ClusterBroker(() => peers, { names: async () => committed }) });
    single = new QueryEngine(resolver, { parallel: null });
  });
  afterAll(async () => {
    await table.cleanup();
  });

  const answer = async (engine: QueryEngine, sql: string, options?: string): Promise<Record<string, any>> => {
    const json = JSON.parse(writeBrokerResponse(await engine.query(sql, options))) as Record<string, any>;
    delete json.timeUsedMs;
    return json;
  };

  it('answers as one server over every segment, statistics included', async () => {
    for (const sql of QUERIES) {
      const got = await answer(broker, sql);
      expect(got.exceptions, sql).toEqual([]);
      expect(got.numServersQueried, sql).toBe(3);
      expect(got.numServersResponded, sql).toBe(3);
      expect({ ...got, numServersQueried: 1, numServersResponded: 1 }, sql).toEqual(await answer(single, sql));
    }
  });

  it('cuts a selection without ORDER BY at its LIMIT across servers', async () => {
    const got = await answer(broker, 'SELECT user FROM visits LIMIT 1500');
    expect(got.resultTable.rows).toHaveLength(1500);
    expect(got.partialResult).toBe(false);
  });

  it('says so when numGroupsLimit dropped groups (which ones may differ from one server: each server and the merge apply it)', async () => {
    const sql = 'SELECT user, count(*) FROM visits GROUP BY user ORDER BY count(*) DESC, user LIMIT 5';
    const got = await answer(broker, sql, 'numGroupsLimit=20');
    expect(got.numGroupsLimitReached).toBe(true);
    expect(got.partialResult).toBe(true);
    expect(got.resultTable.rows).toHaveLength(5);
    expect(got.exceptions).toEqual([]);
  });

  it('fails the query with the query error a server answers', async () => {
    const sql = "SELECT count(*) FROM visits WHERE fromDateTime(user, 'yyyy-MM-dd') > 0";
    const got = await answer(broker, sql);
    expect(got.exceptions[0].errorCode).toBe(200);
    expect(got.exceptions).toEqual((await answer(single, sql)).exceptions);
  });

  it('answers partial, naming the server, when one does not answer', async () => {
    peers[1]!.fail = Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    try {
      const got = await answer(broker, 'SELECT count(*) FROM visits');
      expect(got.partialResult).toBe(true);
      expect(got.numServersQueried).toBe(3);
      expect(got.numServersResponded).toBe(2);
      expect(got.exceptions).toHaveLength(1);
      expect(got.exceptions[0].errorCode).toBe(427);
      expect(got.exceptions[0].message).toContain('server b (http://b.invalid)');
      expect(got.exceptions[0].message).toContain('ECONNREFUSED');
      // Segment 0 is also on server a: only b's own three segments are missing.
      expect(got.resultTable.rows[0][0]).toBe(6000 - 3 * 700);
    } finally {
      peers[1]!.fail = null;
    }
  });

  it('does not let a server that never answers use up the query: the others are still asked and merged', async () => {
    peers[2]!.hang = true;
    try {
      const got = await answer(broker, 'SELECT count(*) FROM visits', 'timeoutMs=1000');
      expect(got.partialResult).toBe(true);
      expect([got.numServersQueried, got.numServersResponded]).toEqual([3, 2]);
      expect(got.exceptions[0].message).toContain('server c (http://c.invalid) did not answer which segments it serves: no segment list within');
      expect(got.resultTable.rows[0][0]).toBe(table.queryTable.snapshot().slice(0, 6).reduce((n, s) => n + s.numDocs, 0));
    } finally {
      peers[2]!.hang = false;
    }
  });

  it('answers partial when a committed segment is served by no one', async () => {
    committed = [...table.queryTable.snapshot().map((s) => s.name), 'visits__9__0__20240101T0000Z'];
    try {
      const got = await answer(broker, 'SELECT count(*) FROM visits');
      expect(got.partialResult).toBe(true);
      expect(got.numServersResponded).toBe(3);
      expect(got.exceptions).toEqual([{ errorCode: 305, message: expect.stringContaining('1 committed segments of table visits are served by no live server') }]);
      expect(got.exceptions[0].message).toContain('visits__9__0__20240101T0000Z');
      expect(got.resultTable.rows[0][0]).toBe(6000);
    } finally {
      committed = [];
    }
  });

  it('runs EXPLAIN on the broker alone', async () => {
    const got = await answer(broker, 'EXPLAIN PLAN FOR SELECT count(*) FROM visits');
    expect(got.numServersQueried).toBe(1);
    expect(got.exceptions).toEqual([]);
  });

  it('refuses unknown segments by name', async () => {
    const resolver: TableResolver = { resolve: (name) => (name === 'visits' ? table.queryTable : undefined) };
    await expect(runPartialQuery(resolver, { sql: 'SELECT count(*) FROM visits', table: 'visits', segments: ['nope__0__0'] })).rejects.toThrow('segment nope__0__0 of table visits does not exist');
    await expect(runPartialQuery(resolver, { sql: 'SELECT count(*) FROM visits', table: 'other', segments: [] })).rejects.toThrow('table other does not exist');
  });
});

describe('routeSegments', () => {
  const seg = (name: string, numDocs = 10) => ({ name, consuming: false, numDocs });

  it('gives every segment to exactly one server that has it, the same way every time', () => {
    const listings = [
      { serverId: 'a', segments: [seg('s1'), seg('s2'), seg('s3')] },
      { serverId: 'b', segments: [seg('s2'), seg('s3'), seg('s4')] },
      { serverId: 'c', segments: [seg('s3'), seg('s5')] },
    ];
    const routes = routeSegments(listings);
    const all = [...routes.values()].flat().sort();
    expect(all).toEqual(['s1', 's2', 's3', 's4', 's5']);
    for (const [server, names] of routes) for (const n of names) expect(listings.find((l) => l.serverId === server)!.segments.some((s) => s.name === n)).toBe(true);
    expect(routeSegments([...listings].reverse())).toEqual(routes);
  });

  it('prefers the copy with the most rows', () => {
    const routes = routeSegments([
      { serverId: 'a', segments: [{ name: 's1', consuming: true, numDocs: 5 }] },
      { serverId: 'b', segments: [{ name: 's1', consuming: false, numDocs: 9 }] },
    ]);
    expect([...routes.entries()]).toEqual([['b', ['s1']]]);
  });
});

describe('LivenessTracker', () => {
  const rec = (serverId: string, heartbeatCounter: number) => ({ serverId, url: `http://${serverId}`, heartbeatCounter, startedAtMs: 1 });

  it('drops a server whose counter stays unchanged for the timeout, and one that deregistered at once', () => {
    const t = new LivenessTracker(1000);
    t.observe([rec('a', 1), rec('b', 1), rec('c', 1)], 0);
    t.observe([rec('a', 2), rec('b', 1), rec('c', 2)], 600);
    expect(t.live(900).map((s) => s.serverId)).toEqual(['a', 'b', 'c']);
    t.observe([rec('a', 3), rec('b', 1)], 1200);
    expect(t.live(1200).map((s) => s.serverId)).toEqual(['a']);
    t.observe([rec('a', 4), rec('b', 2)], 1300);
    expect(t.live(1300).map((s) => s.serverId)).toEqual(['a', 'b']);
  });
});

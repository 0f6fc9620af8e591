import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterBroker, HttpPeer, LocalPeer } from '../src/cluster/broker/index.js';
import type { ClusterMember, ClusterPeer, ServerRecord } from '../src/cluster/broker/index.js';
import type { ClusterAttachment } from '../src/server/cluster-attachment.js';
import { managerTableResolver } from '../src/server/routes/query-routes.js';
import { buildSegments, eventsTable } from './generated-table.js';
import { fmt, machineInfo, summarise } from './harness.js';
import type { BenchResult } from './harness.js';
import { startQueryServer } from './http-query-server.js';
import { benchQueryList, normalise, sameRows } from './queries.js';

const SERVERS = 3;

/**
 * Broker fan-out overhead: the `queries` set over HTTP (`POST /query/sql`) against one server
 * holding every segment, and against a cluster broker whose table is spread over three servers
 * (segment i on server i mod 3; the consuming one on the broker's server), which lists each
 * server's segments, sends each its share over `/internal/cluster/` (the broker's own share in
 * process), and merges the `node:v8` partials. All four HTTP servers run in this one process, so
 * the scans of the three servers take turns on one thread: the difference is the cost of the
 * fan-out itself (listing, HTTP, serialisation, merge), not a gain from more machines. Membership
 * is static (no DynamoDB: the three members know each other). Answers are compared. Sizes:
 * `SHARDTABLE_BENCH_FANOUT_ROWS` (default 3M, 1M with `--quick`); medians over 5 interleaved rounds.
 */
export async function benchBrokerFanout(quick: boolean): Promise<BenchResult> {
  const rows = Number(process.env.SHARDTABLE_BENCH_FANOUT_ROWS ?? (quick ? 1_000_000 : 3_000_000));
  if (!Number.isInteger(rows) || rows < 10_000) throw new Error(`SHARDTABLE_BENCH_FANOUT_ROWS must be an integer ≥ 10000, got ${String(process.env.SHARDTABLE_BENCH_FANOUT_ROWS)}`);
  const rowsPerSegment = Math.max(5_000, Math.floor(rows / 9));
  const consumingRows = Math.floor(rowsPerSegment / 4);
  const rounds = 5;
  const table = eventsTable();
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-bench-fanout-'));
  const closers: (() => Promise<void>)[] = [];
  try {
    const { sealed, consuming } = await buildSegments(table, { rows, rowsPerSegment, consumingRows }, dir);
    const single = await startQueryServer('events', table.schema, () => ({ sealed, consuming: consuming ? [consuming] : [] }));
    closers.push(single.close);
    const attachments: ClusterAttachment[] = Array.from({ length: SERVERS }, () => ({ node: null }));
    const servers = [];
    for (let i = 0; i < SERVERS; i++) {
      const own = sealed.filter((_, k) => k % SERVERS === i);
      const tail = i === 0 && consuming ? [consuming] : [];
      const server = await startQueryServer('events', table.schema, () => ({ sealed: own, consuming: tail }), attachments[i]);
      closers.push(server.close);
      servers.push(server);
    }
    const records: ServerRecord[] = servers.map((s, i) => ({ serverId: `s${i}`, url: s.url, heartbeatCounter: 0, startedAtMs: 0 }));
    servers.forEach((server, i) => {
      const peers: ClusterPeer[] = records.map((r, k) => (k === i ? new LocalPeer(r.serverId, r.url, () => managerTableResolver(server.manager)) : new HttpPeer(r.serverId, r.url)));
      const member: ClusterMember = { serverId: `s${i}`, broker: new ClusterBroker(() => peers, null), liveServers: () => records };
      attachments[i]!.node = member;
    });
    const broker = servers[0]!;

    const loadBefore = loadavg()[0]!;
    const perQuery: Record<string, unknown>[] = [];
    for (const q of benchQueryList(rows)) {
      const options = 'timeoutMs=600000';
      const [one, fan] = [await single.query(q.pinot, options), await broker.query(q.pinot, options)];
      for (const a of [one, fan]) if (a.exceptions.length > 0 || a.partialResult) throw new Error(`${q.name} failed: ${JSON.stringify(a.exceptions)}`);
      if (!sameRows(normalise(one.rows), normalise(fan.rows))) throw new Error(`query ${q.name}: the broker's answer differs from one server's`);
      const oneMs: number[] = [];
      const fanMs: number[] = [];
      for (let r = 0; r < rounds; r++) {
        oneMs.push((await single.query(q.pinot, options)).ms);
        fanMs.push((await broker.query(q.pinot, options)).ms);
      }
      const o = summarise(oneMs);
      const f = summarise(fanMs);
      const row = { name: q.name, kind: q.kind, oneServerMs: o, threeServersMs: f, ratio: f.median / o.median, overheadMs: f.median - o.median };
      perQuery.push(row);
      console.log(`broker-fanout ${q.name.padEnd(20)} 1 server ${fmt(o.median)} ms  3 servers ${fmt(f.median)} ms  x${fmt(row.ratio)} (+${fmt(row.overheadMs)} ms)`);
    }
    const geo = (xs: number[]): number => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
    const metrics = {
      ratioGeoMean: geo(perQuery.map((q) => q.ratio as number)),
      medianOverheadMs: summarise(perQuery.map((q) => q.overheadMs as number)).median,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadavg()[0]!,
    };
    console.log(`broker-fanout: 3 servers / 1 server x${fmt(metrics.ratioGeoMean)} (geometric mean), median overhead ${fmt(metrics.medianOverheadMs)} ms; load ${fmt(loadBefore, 1)} → ${fmt(metrics.loadAverageAfter, 1)}`);
    return { name: 'broker-fanout', machine: machineInfo(), params: { rows, rowsPerSegment, consumingRows, sealedSegments: sealed.length, servers: SERVERS, rounds, quick }, metrics, queries: perQuery };
  } finally {
    for (const close of closers.reverse()) await close();
    await rm(dir, { recursive: true, force: true });
  }
}

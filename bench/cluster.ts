import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createStream, kinesisClientFor, MotoServer, startEmulator } from '../src/emulator/index.js';
import { balanced, ClusterServer, cpuSecondsOf, scanLeases, sleep, until } from './cluster-procs.js';
import { fmt, machineInfo, quantile } from './harness.js';
import type { BenchResult } from './harness.js';

const LEASE_TIMEOUT_MS = 2000;
const HEARTBEAT_MS = 500;
const MEMBERSHIP_TIMEOUT_MS = 3000;
const FLUSH_ROWS = 2500;
const FLUSH_TIME = '3s';

interface Produced { readonly id: number; readonly shardId: string; readonly ackedAt: number }

/** Puts JSON rows `{id, kind, ts}` with unique ids, remembering which shard each id went to (from PutRecords' answer). */
class Producer {
  readonly produced: Produced[] = [];
  private nextId = 0;
  private running = false;
  private loop: Promise<void> | null = null;
  constructor(private readonly kinesis: KinesisClient, private readonly stream: string) {}

  get count(): number {
    return this.nextId;
  }

  async put(count: number, remember = true): Promise<void> {
    const ids = Array.from({ length: count }, (_, i) => this.nextId + i);
    this.nextId += count;
    let pending = ids;
    while (pending.length > 0) {
      const answer = await this.kinesis.send(new PutRecordsCommand({
        StreamName: this.stream,
        Records: pending.map((id) => ({ Data: Buffer.from(JSON.stringify({ id, kind: 'view', ts: Date.now() })), PartitionKey: randomUUID() })),
      }));
      const ackedAt = Date.now();
      const retry: number[] = [];
      (answer.Records ?? []).forEach((r, i) => {
        if (r.ErrorCode || !r.ShardId) retry.push(pending[i]!);
        else if (remember) this.produced.push({ id: pending[i]!, shardId: r.ShardId, ackedAt });
      });
      pending = retry;
      if (retry.length > 0) await sleep(50);
    }
  }

  /** Puts `perTick` records every 100 ms until `stop`. */
  start(perTick: number): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const started = Date.now();
        await this.put(perTick);
        await sleep(100 - (Date.now() - started));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

function schema(): Record<string, unknown> {
  return {
    schemaName: 'events',
    dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'kind', dataType: 'STRING' }],
    dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
  };
}

function tableConfig(endpoint: string, stream: string): Record<string, unknown> {
  return {
    tableName: 'events',
    tableType: 'REALTIME',
    segmentsConfig: { timeColumnName: 'ts' },
    tableIndexConfig: {
      streamConfigs: {
        streamType: 'kinesis', 'stream.kinesis.topic.name': stream, region: 'us-east-1', endpoint, accessKey: 'bench', secretKey: 'bench',
        shardIteratorType: 'TRIM_HORIZON', 'stream.kinesis.fetch.timeout.millis': '1000', requests_per_second_limit: '20',
        'stream.kinesis.shard.discovery.interval.ms': '1000', 'realtime.segment.flush.threshold.rows': String(FLUSH_ROWS), 'realtime.segment.flush.threshold.time': FLUSH_TIME,
      },
    },
  };
}

/** A cluster of `serve --cluster` processes on one prefix, one stream, one table. */
class Cluster {
  readonly live: ClusterServer[] = [];
  private started = 0;
  constructor(private readonly prefix: string, private readonly dataRoot: string, private readonly env: Record<string, string>, readonly ddb: DynamoDBClient) {}

  async add(): Promise<ClusterServer> {
    const id = `${this.prefix}-s${++this.started}`;
    const args = ['--cluster', `dynamodb:${this.prefix}`, '--deep-store', `s3://deep/${this.prefix}`, '--lease-timeout-ms', String(LEASE_TIMEOUT_MS), '--heartbeat-ms', String(HEARTBEAT_MS), '--membership-timeout-ms', String(MEMBERSHIP_TIMEOUT_MS)];
    const server = await ClusterServer.start(id, join(this.dataRoot, id), args, this.env);
    this.live.push(server);
    return server;
  }

  async kill(server: ClusterServer): Promise<void> {
    this.live.splice(this.live.indexOf(server), 1);
    await server.kill('SIGKILL');
  }

  async createTable(kinesisEndpoint: string, stream: string): Promise<void> {
    const first = this.live[0]!;
    for (const [path, body] of [['/schemas', schema()], ['/tables', tableConfig(kinesisEndpoint, stream)]] as const) {
      const { status, json } = await first.request('POST', path, body);
      if (status !== 200) throw new Error(`POST ${path}: ${status} ${JSON.stringify(json)}`);
    }
    await until('every server has the table', async () => (await Promise.all(this.live.map((s) => s.request('GET', '/tables/events')))).every((r) => r.status === 200), 30_000, 250);
  }

  async waitBalanced(timeoutMs = 90_000): Promise<void> {
    await until('leases balanced over the live servers', async () => balanced(await scanLeases(this.ddb, this.prefix), this.live.map((s) => s.id)), timeoutMs, 250);
  }

  async stopAll(): Promise<void> {
    for (const s of this.live.splice(0)) await s.kill('SIGKILL');
  }
}

async function committedSegments(ddb: DynamoDBClient, prefix: string): Promise<number> {
  let n = 0;
  let start: Record<string, any> | undefined;
  do {
    const page = await ddb.send(new QueryCommand({ TableName: `${prefix}-segments`, KeyConditionExpression: '#t = :t', ExpressionAttributeNames: { '#t': 'table' }, ExpressionAttributeValues: { ':t': { S: 'events' } }, Select: 'COUNT', ExclusiveStartKey: start }));
    n += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return n;
}

/** Ingest throughput of `servers` servers: a balanced cluster, then `batch` records put as fast as possible, until `COUNT(*)` through a broker says all. */
async function throughput(servers: number, batch: number, shards: number, kinesisEndpoint: string, kinesis: KinesisClient, moto: MotoServer, dataRoot: string, ddb: DynamoDBClient): Promise<Record<string, unknown>> {
  const prefix = `tp${servers}`;
  const stream = `bench-cluster-tp${servers}`;
  await createStream(kinesisEndpoint, stream, shards);
  const cluster = new Cluster(prefix, dataRoot, moto.env(), ddb);
  try {
    await Promise.all(Array.from({ length: servers }, () => cluster.add()));
    await cluster.createTable(kinesisEndpoint, stream);
    await cluster.waitBalanced();
    const cpuBefore = cluster.live.map((s) => s.cpuSeconds());
    const benchCpuBefore = cpuSecondsOf(process.pid);
    const commitsBefore = await committedSegments(ddb, prefix);
    const producer = new Producer(kinesis, stream);
    const t0 = Date.now();
    // Four PutRecords of 500 in flight at a time, so the one producer is not the first limit.
    for (let sent = 0; sent < batch; sent += 2000) {
      await Promise.all([0, 500, 1000, 1500].filter((o) => sent + o < batch).map((o) => producer.put(Math.min(500, batch - sent - o), false)));
    }
    const putSeconds = (Date.now() - t0) / 1000;
    await until(`all ${batch} records queryable`, async () => {
      const { rows, partial } = await cluster.live[0]!.sql('SELECT COUNT(*) FROM events');
      return !partial && Number(rows[0]?.[0]) === batch;
    }, 300_000, 100);
    const seconds = (Date.now() - t0) / 1000;
    const cpu = cluster.live.map((s, i) => s.cpuSeconds() - cpuBefore[i]!);
    const benchCpu = cpuSecondsOf(process.pid) - benchCpuBefore;
    const commits = (await committedSegments(ddb, prefix)) - commitsBefore;
    const row = {
      servers, shards, records: batch, seconds, putSeconds, recordsPerSec: batch / seconds,
      serverCpuSeconds: cpu, totalServerCpuSeconds: cpu.reduce((a, b) => a + b, 0),
      serverCpuMsPer1000Records: (1000 * cpu.reduce((a, b) => a + b, 0) * 1000) / batch,
      benchProcessCpuSeconds: benchCpu, commits,
    };
    console.log(`cluster ingest, ${servers} server(s), ${shards} shards: ${fmt(batch)} records in ${fmt(seconds)} s (put ${fmt(putSeconds)} s) = ${fmt(row.recordsPerSec, 0)} records/s; server CPU s ${cpu.map((c) => fmt(c)).join(' + ')}; bench process (producer + kinesalite) ${fmt(benchCpu)} s; ${commits} commits`);
    return row;
  } finally {
    await cluster.stopAll();
  }
}

/** Failover trials: kill -9 the holder of the most leases, time until its leases are held by live servers and a record put after the kill on each of its shards is queryable; then start a replacement. */
async function failover(trials: number, shards: number, kinesisEndpoint: string, kinesis: KinesisClient, moto: MotoServer, dataRoot: string, ddb: DynamoDBClient): Promise<Record<string, unknown>> {
  const prefix = 'fo';
  const stream = 'bench-cluster-failover';
  await createStream(kinesisEndpoint, stream, shards);
  const cluster = new Cluster(prefix, dataRoot, moto.env(), ddb);
  const producer = new Producer(kinesis, stream);
  const results: { leasesTakenMs: number; consumedAgainMs: number; wholeAgainMs: number; leasesMoved: number }[] = [];
  try {
    await Promise.all([cluster.add(), cluster.add(), cluster.add()]);
    await cluster.createTable(kinesisEndpoint, stream);
    producer.start(20);
    for (let t = 0; t < trials; t++) {
      await cluster.waitBalanced();
      const leases = await scanLeases(ddb, prefix);
      const victim = [...cluster.live].sort((a, b) => leases.filter((l) => l.owner === b.id).length - leases.filter((l) => l.owner === a.id).length)[0]!;
      const shardsOfVictim = leases.filter((l) => l.owner === victim.id).map((l) => l.shardId);
      const killedAt = Date.now();
      await cluster.kill(victim);
      const survivor = cluster.live[0]!;
      const live = new Set(cluster.live.map((s) => s.id));
      let leasesTakenMs = -1;
      const consumedAgainMs = await until(`trial ${t + 1}: ${victim.id}'s shards consumed again`, async () => {
        if (leasesTakenMs < 0) {
          const now = await scanLeases(ddb, prefix);
          if (shardsOfVictim.every((s) => live.has(now.find((l) => l.shardId === s)?.owner ?? ''))) leasesTakenMs = Date.now() - killedAt;
          else return null;
        }
        const probes = shardsOfVictim.map((s) => producer.produced.find((p) => p.shardId === s && p.ackedAt > killedAt));
        if (probes.some((p) => p === undefined)) return null;
        const { rows } = await survivor.sql(`SELECT id FROM events WHERE id IN (${probes.map((p) => p!.id).join(', ')}) LIMIT 100`);
        return new Set(rows.map((r) => Number(r[0]))).size === probes.length ? Date.now() - killedAt : null;
      }, 120_000, 100);
      // Then whole again: the dead server left membership and every committed segment is served by a live one.
      const wholeAgainMs = await until(`trial ${t + 1}: whole answers again`, async () => ((await survivor.sql('SELECT COUNT(*) FROM events')).partial ? null : Date.now() - killedAt), 120_000, 100);
      results.push({ leasesTakenMs, consumedAgainMs, wholeAgainMs, leasesMoved: shardsOfVictim.length });
      console.log(`cluster failover trial ${t + 1}/${trials}: killed ${victim.id} (${shardsOfVictim.length} leases): leases held by live servers after ${leasesTakenMs} ms, consumed again after ${consumedAgainMs} ms, whole answers again after ${wholeAgainMs} ms`);
      await cluster.add();
    }
    await producer.stop();
    // Not timed: every id produced is in the table exactly once (the bench's answers are checked, as the others').
    const expected = producer.count;
    let check = '';
    const exactlyOnce = await until('every id exactly once', async () => {
      const { rows, partial } = await cluster.live[0]!.sql('SELECT id FROM events LIMIT 1000000');
      const ids = rows.map((r) => Number(r[0]));
      check = `${ids.length} rows, ${new Set(ids).size} distinct, ${expected} produced, partial ${String(partial)}`;
      return !partial && ids.length === expected && new Set(ids).size === expected;
    }, 90_000, 500).then(() => true, () => false);
    console.log(`cluster failover: exactly once ${String(exactlyOnce)} (${check})`);
    return { trials: results, produced: expected, exactlyOnce, exactlyOnceCheck: check };
  } finally {
    await producer.stop();
    await cluster.stopAll();
  }
}

/**
 * Cluster mode (issue 18) with real processes: moto (DynamoDB leases and segment metadata, S3
 * deep store) and kinesalite (in this process), `serve --cluster` processes through `bin/`, lease
 * timeout 2 s (`--lease-timeout-ms 2000`, a round every 667 ms), heartbeat 0.5 s, membership
 * timeout 3 s; segments sealed every 2,500 rows or 3 s.
 * 1. Ingest throughput with 1, 2 and 3 servers: a fresh stream of the same shape per set-up, a
 *    balanced cluster, then a fixed batch put as fast as one producer can; records/s until
 *    `COUNT(*)` through a broker equals the batch (whole, not partial), with each server's CPU
 *    (utime + stime from /proc/<pid>/stat) over that window.
 * 2. Failover: 3 servers, records put continuously (200/s); per trial kill -9 the server holding
 *    the most leases, time until each of its leases is held by a live server, and until a record
 *    put after the kill on each of its shards is returned by a query, and until a query through a
 *    survivor is whole again (not partial: the dead server left membership and every committed
 *    segment is served); then start a replacement and wait for balance (not timed). Then every id
 *    is checked exactly once.
 * Sizes: full 8 shards, 200,000 records, 10 trials; `--quick` 4 shards, 50,000 records, 3 trials.
 */
export async function benchCluster(quick: boolean): Promise<BenchResult> {
  const shards = quick ? 4 : 8;
  const batch = quick ? 50_000 : 200_000;
  const trials = quick ? 3 : 10;
  const loadBefore = loadavg()[0]!;
  const moto = await MotoServer.start();
  const emulator = await startEmulator('kinesalite');
  const kinesis = kinesisClientFor(emulator.endpoint);
  const ddb = moto.client();
  const dataRoot = await mkdtemp(join(tmpdir(), 'shardtable-bench-cluster-'));
  try {
    const s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'b', secretAccessKey: 'b' } });
    await s3.send(new CreateBucketCommand({ Bucket: 'deep' }));
    s3.destroy();
    const ingest = [];
    for (const servers of [1, 2, 3]) ingest.push(await throughput(servers, batch, shards, emulator.endpoint, kinesis, moto, dataRoot, ddb));
    const fo = await failover(trials, shards, emulator.endpoint, kinesis, moto, dataRoot, ddb);
    const trialRows = fo.trials as { leasesTakenMs: number; consumedAgainMs: number; wholeAgainMs: number }[];
    const taken = trialRows.map((r) => r.leasesTakenMs);
    const consumed = trialRows.map((r) => r.consumedAgainMs);
    const whole = trialRows.map((r) => r.wholeAgainMs);
    const one = ingest[0]!;
    const metrics = {
      failoverLeasesP50Ms: quantile(taken, 0.5),
      failoverLeasesMaxMs: Math.max(...taken),
      failoverConsumedP50Ms: quantile(consumed, 0.5),
      failoverConsumedMaxMs: Math.max(...consumed),
      failoverWholeP50Ms: quantile(whole, 0.5),
      failoverWholeMaxMs: Math.max(...whole),
      ingest1RecordsPerSec: ingest[0]!.recordsPerSec as number,
      ingest2RecordsPerSec: ingest[1]!.recordsPerSec as number,
      ingest3RecordsPerSec: ingest[2]!.recordsPerSec as number,
      serverCpuMsPer1000Records1: one.serverCpuMsPer1000Records as number,
      serverCpuMsPer1000Records3: ingest[2]!.serverCpuMsPer1000Records as number,
      exactlyOnceAfterFailovers: fo.exactlyOnce ? 1 : 0,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadavg()[0]!,
    };
    console.log(`cluster: failover p50 ${fmt(metrics.failoverConsumedP50Ms, 0)} ms, max ${fmt(metrics.failoverConsumedMaxMs, 0)} ms (leases: p50 ${fmt(metrics.failoverLeasesP50Ms, 0)}, max ${fmt(metrics.failoverLeasesMaxMs, 0)}; whole again: p50 ${fmt(metrics.failoverWholeP50Ms, 0)}, max ${fmt(metrics.failoverWholeMaxMs, 0)}); load ${fmt(loadBefore, 1)} → ${fmt(metrics.loadAverageAfter, 1)}`);
    return {
      name: 'cluster',
      machine: machineInfo(),
      params: { shards, batch, trials, leaseTimeoutMs: LEASE_TIMEOUT_MS, heartbeatMs: HEARTBEAT_MS, membershipTimeoutMs: MEMBERSHIP_TIMEOUT_MS, flushRows: FLUSH_ROWS, flushTime: FLUSH_TIME, failoverRecordsPerSec: 200, quick },
      metrics,
      queries: [...ingest.map((r) => ({ kind: 'ingest', ...r })), ...trialRows.map((r, i) => ({ kind: 'failover', trial: i + 1, ...r })), { kind: 'exactlyOnce', ok: fo.exactlyOnce, check: fo.exactlyOnceCheck, produced: fo.produced }],
    };
  } finally {
    kinesis.destroy();
    ddb.destroy();
    await emulator.stop();
    await moto.stop();
    await rm(dataRoot, { recursive: true, force: true });
  }
}

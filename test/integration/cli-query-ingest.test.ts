import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PutRecordCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisClientFor, waitForStreamStatus } from '../../src/emulator/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, idKindTsSchema } from '../helpers/emulator-table.js';
import { freePort, ServerProcess } from '../helpers/server-process.js';

const BIN = fileURLToPath(new URL('../../bin/shardtable.js', import.meta.url));
const run = promisify(execFile);
const ENV = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1' };

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command as a user types it, output piped (no terminal). */
async function cli(args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...ENV } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The command on a terminal: `script` gives it a pty; its exit code is the command's (-e). */
async function cliOnTty(args: string[]): Promise<Result> {
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return cliRaw('script', ['-qfec', command, '/dev/null']);
}

async function cliRaw(file: string, args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(file, args, { env: { ...process.env, ...ENV } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Ids `from` .. `to - 1` into the stream, partition key the id (`shardtable produce` has its own tests: cli.test.ts). */
async function produce(endpoint: string, stream: string, from: number, to: number): Promise<void> {
  const rows = Array.from({ length: to - from }, (_, i) => ({ id: from + i, kind: (from + i) % 3 === 0 ? 'click' : 'view', ts: 1_700_000_000_000 + from + i }));
  const client = kinesisClientFor(endpoint);
  try {
    await putJsonRecords(client, stream, rows, (row) => String(row.id));
  } finally {
    client.destroy();
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * `shardtable query` against a real `serve`, and `shardtable ingest --once` on the data dir that
 * server left (a table created by a real run, then stopped), on the kinesalite emulator.
 */
describe('shardtable query and ingest --once', () => {
  const env = withEmulator('kinesalite');
  let dir: string;
  let dataDir: string;
  let stream: string;
  let server: ServerProcess | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shardtable-cli-qi-'));
    dataDir = join(dir, 'data');
    stream = await env.newStream(3, 'cli-once');
    await produce(env.endpoint, stream, 0, 300);
    server = await ServerProcess.start({ dataDir });
    expect((await server.request('POST', '/schemas', idKindTsSchema())).status).toBe(200);
    // Nothing seals while the server runs: the rows are only in consuming segments when it stops.
    const config = emulatorTableConfig({ endpoint: env.endpoint, stream, timeColumn: 'ts', streamConfigs: { 'realtime.segment.flush.threshold.rows': '100000', 'realtime.segment.flush.threshold.time': '1h' } });
    const created = await server.request('POST', '/tables', config);
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    await waitFor('300 rows queryable', async () => {
      const r = await server!.request('POST', '/query/sql', { sql: 'SELECT count(*) FROM events' });
      return (r.json as { resultTable?: { rows: number[][] } }).resultTable?.rows[0]?.[0] === 300;
    });
  });

  afterAll(async () => {
    if (server) {
      server.kill('SIGKILL');
      await server.exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('query prints an aligned table with names and types, JSON, and CSV', async () => {
    const sql = 'SELECT kind, count(*) AS n FROM events GROUP BY kind ORDER BY kind';
    // Independent commands, run at once.
    const [table, json, csv] = await Promise.all([
      cli(['query', sql, '--server', server!.url]),
      cli(['query', sql, '--server', server!.url, '--format', 'json']),
      cli(['query', sql, '--server', server!.url, '--format', 'csv']),
    ]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^kind\s+n$/);
    expect(lines[0]!.length).toBe(lines[1]!.length);
    expect(lines[1]).toMatch(/^STRING\s+LONG$/);
    expect(lines[2]).toMatch(/^-+\s+-+$/);
    expect(lines[3]).toMatch(/^click\s+100$/);
    expect(lines[4]).toMatch(/^view\s+200$/);
    expect(lines[3]!.length).toBe(lines[0]!.length); // numbers right-aligned under their column
    expect(table.stdout).toContain('(2 rows;');

    expect(json.code).toBe(0);
    const broker = JSON.parse(json.stdout) as { resultTable: { rows: unknown[][] }; exceptions: unknown[] };
    expect(broker.resultTable.rows).toEqual([['click', 100], ['view', 200]]);
    expect(broker.exceptions).toEqual([]);

    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe('kind,n\nclick,100\nview,200\n');
  });

  it('query errors: exceptions on stderr and exit 1, bad usage exit 2, no server exit 3', async () => {
    const port = await freePort();
    // Independent commands, run at once.
    const [bad, parse, xml, none, down] = await Promise.all([
      cli(['query', 'SELECT nosuch FROM events', '--server', server!.url]),
      cli(['query', 'SELEC oops', '--server', server!.url, '--format', 'json']),
      cli(['query', 'SELECT 1', '--format', 'xml']),
      cli(['query']),
      cli(['query', 'SELECT count(*) FROM events', '--server', `http://127.0.0.1:${port}`]),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^710: UnknownColumnError:\s+Unknown column 'nosuch'/m);
    expect(parse.code).toBe(1);
    expect(parse.stderr).toMatch(/^150: /m);
    expect(JSON.parse(parse.stdout)).toHaveProperty('exceptions');

    expect(xml.code).toBe(2);
    expect(none.code).toBe(2);

    expect(down.code).toBe(3);
    expect(down.stderr).toContain(`cannot reach a shardtable server at http://127.0.0.1:${port}`);
  });

  it('ingest --once refuses a data dir a server holds, then reads every record exactly once after it stopped', async () => {
    const locked = await cli(['ingest', '--once', '--table', 'events', '--data-dir', dataDir]);
    expect(locked.code).toBe(4);
    expect(locked.stderr).toMatch(/in use by `shardtable serve`/);

    server!.kill('SIGINT');
    expect((await server!.exited).code).toBe(0);
    server = null;
    expect(await segmentFiles(dataDir)).toEqual([]); // the server sealed nothing: all 300 rows are unsealed
    await produce(env.endpoint, stream, 300, 500);

    const first = await cli(['ingest', '--once', '--table', 'events', '--data-dir', dataDir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/ingested events: 500 records read from 3 shards .*; 500 rows in \d+ new sealed segments/);
    // No terminal: plain lines per shard, no bar drawing.
    expect(first.stderr).toMatch(/shardId-\d+: \d+ records, [\d.]+ MB, \d+ ms behind, STOPPED/);
    expect(first.stderr).not.toMatch(/\u001b\[|█|░/);

    // Nothing new: a second run reads nothing and seals nothing.
    const second = await cli(['ingest', '--once', '--table', 'events', '--data-dir', dataDir]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/0 records read .*0 rows in 0 new sealed segments/);

    // On a terminal: progress bars per shard.
    await produce(env.endpoint, stream, 500, 600);
    const tty = await cliOnTty(['ingest', '--once', '--table', 'events', '--data-dir', dataDir]);
    expect(tty.code, tty.stdout).toBe(0);
    expect(tty.stdout).toMatch(/shardId-\d+ \[[█░]+\] \d+ records \| [\d.]+ MB \| \d+ ms behind/);
    expect(tty.stdout).toMatch(/100 records read from 3 shards/);

    // A restarted server serves each of the 600 records exactly once from the sealed files.
    server = await ServerProcess.start({ dataDir });
    await waitFor('600 rows', async () => {
      const r = await cli(['query', 'SELECT count(*), distinctcount(id), min(id), max(id) FROM events', '--server', server!.url, '--format', 'csv']);
      return r.stdout.split('\n')[1] === '600,600,0.0,599.0' || r.stdout.split('\n')[1] === '600,600,0,599';
    }, 30_000);
    server.kill('SIGINT');
    await server.exited;
    server = null;
    const [unknown, noDir, noOnce] = await Promise.all([
      cli(['ingest', '--once', '--table', 'nosuch', '--data-dir', dataDir]),
      cli(['ingest', '--once', '--table', 'events', '--data-dir', join(dir, 'nowhere')]),
      cli(['ingest', '--table', 'events']),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/table nosuch \(in .*; tables there: events\) does not exist/);
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toMatch(/data dir .*nowhere does not exist/);
    expect(noOnce.code).toBe(2); // --once is required
  });

  it('ingest --once reads a shard split since the last run to its end, then its children: every record once', async () => {
    const split = await env.newStream(1, 'cli-split');
    const splitDir = join(dir, 'split');
    await produce(env.endpoint, split, 0, 100);
    let serve = await ServerProcess.start({ dataDir: splitDir });
    try {
      expect((await serve.request('POST', '/schemas', idKindTsSchema())).status).toBe(200);
      const config = emulatorTableConfig({ endpoint: env.endpoint, stream: split, timeColumn: 'ts', streamConfigs: { 'realtime.segment.flush.threshold.rows': '100000' } });
      expect((await serve.request('POST', '/tables', config)).status).toBe(200);
      await waitFor('100 rows', async () => {
        const r = await serve.request('POST', '/query/sql', { sql: 'SELECT count(*) FROM events' });
        return (r.json as { resultTable?: { rows: number[][] } }).resultTable?.rows[0]?.[0] === 100;
      });
    } finally {
      serve.kill('SIGINT');
      await serve.exited;
    }
    await env.client.send(new SplitShardCommand({ StreamName: split, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 127n).toString() }));
    await waitForStreamStatus(env.client, split, 'ACTIVE');
    // kinesalite dates a split's children one second after the split: read before then, a child
    // answers no records at 0 ms behind (the tip, to a bounded run) although it holds some.
    await new Promise((r) => setTimeout(r, 1_200));
    await produce(env.endpoint, split, 100, 200);

    const once = await cli(['ingest', '--once', '--table', 'events', '--data-dir', splitDir]);
    expect(once.code, once.stderr).toBe(0);
    expect(once.stdout, once.stderr).toMatch(/200 records read from 3 shards .*; 200 rows in \d+ new sealed segments/);
    expect(once.stderr).toMatch(/shardId-000000000000: 100 records, .* ENDED/);
    const files = (await readdir(join(splitDir, 'events'))).filter((f) => f.endsWith('.seg'));
    const parents = [];
    const infos = await Promise.all(files.map((f) => cli(['inspect', join(splitDir, 'events', f), '--json', '--rows', '0'])));
    for (const info of infos) {
      const meta = (JSON.parse(info.stdout) as { metadata: { shardId: string; endOfShard: boolean } }).metadata;
      if (meta.shardId === 'shardId-000000000000') parents.push(meta.endOfShard);
    }
    expect(parents).toEqual([true]);

    serve = await ServerProcess.start({ dataDir: splitDir });
    try {
      await waitFor('200 rows, each once', async () => {
        const r = await cli(['query', 'SELECT count(*), distinctcount(id) FROM events', '--server', serve.url, '--format', 'csv']);
        return r.stdout.split('\n')[1] === '200,200';
      }, 30_000);
    } finally {
      serve.kill('SIGINT');
      await serve.exited;
    }
  });

  it('ingest --once exits 1 naming the shard that stopped on a bad record (errorPolicy fail), keeping what it sealed before', async () => {
    const bad = await env.newStream(1, 'cli-bad');
    const badDir = join(dir, 'bad');
    const serve = await ServerProcess.start({ dataDir: badDir });
    try {
      expect((await serve.request('POST', '/schemas', idKindTsSchema())).status).toBe(200);
      const config = emulatorTableConfig({
        endpoint: env.endpoint,
        stream: bad,
        streamConfigs: { 'realtime.segment.flush.threshold.rows': '10', 'stream.kinesis.decoder.errorPolicy': 'fail' },
      });
      expect((await serve.request('POST', '/tables', config)).status).toBe(200);
    } finally {
      serve.kill('SIGINT');
      await serve.exited;
    }
    await produce(env.endpoint, bad, 0, 20);
    await env.client.send(new PutRecordCommand({ StreamName: bad, PartitionKey: 'k', Data: new TextEncoder().encode('not json') }));
    const once = await cli(['ingest', '--once', '--table', 'events', '--data-dir', badDir]);
    expect(once.code).toBe(1);
    expect(once.stderr).toMatch(/error: shardId-000000000000 stopped: .*/);
    expect(once.stdout).toMatch(/20 rows in 2 new sealed segments/);
    expect(await segmentFiles(badDir)).toHaveLength(2);
  });

  it('ingest --once stopped by Ctrl-C exits 1 and loses nothing: the next run reads the rest, every record once', async () => {
    const slow = await env.newStream(1, 'cli-int');
    const slowDir = join(dir, 'interrupted');
    const serve = await ServerProcess.start({ dataDir: slowDir });
    try {
      expect((await serve.request('POST', '/schemas', idKindTsSchema())).status).toBe(200);
      // 10 records a call, 1 call a second: 120 records take 12 s to read, and Ctrl-C comes after 3 or so.
      const config = emulatorTableConfig({
        endpoint: env.endpoint,
        stream: slow,
        streamConfigs: { 'realtime.segment.flush.threshold.rows': '25', maxRecordsToFetch: '10', requests_per_second_limit: '1' },
      });
      expect((await serve.request('POST', '/tables', config)).status).toBe(200);
    } finally {
      serve.kill('SIGINT');
      await serve.exited;
    }
    await produce(env.endpoint, slow, 0, 120);
    const child = spawn(process.execPath, [BIN, 'ingest', '--once', '--table', 'events', '--data-dir', slowDir], { env: { ...process.env, ...ENV } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await waitFor('a first sealed segment', async () => (await segmentFiles(slowDir)).length > 0, 20_000);
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(1);
    expect(stderr).toMatch(/interrupted: \d+ segments sealed before the stop are kept/);
    const kept = (await segmentFiles(slowDir)).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(5);

    // The rest faster, still 10 records a call (many reads of a burst at 0 ms behind must not pass
    // for the tip): the table's config changed in the catalog, as a PUT /tables would.
    const catalogFile = join(slowDir, '_catalog', 'tables', 'events.json');
    const stored = JSON.parse(await readFile(catalogFile, 'utf8')) as { tableIndexConfig: { streamConfigs: Record<string, string> } };
    stored.tableIndexConfig.streamConfigs.requests_per_second_limit = '20';
    await writeFile(catalogFile, JSON.stringify(stored));
    const rest = await cli(['ingest', '--once', '--table', 'events', '--data-dir', slowDir]);
    expect(rest.code, rest.stderr).toBe(0);
    const again = await ServerProcess.start({ dataDir: slowDir });
    try {
      await waitFor('120 rows, each once', async () => {
        const r = await cli(['query', 'SELECT count(*), distinctcount(id) FROM events', '--server', again.url, '--format', 'csv']);
        return r.stdout.split('\n')[1] === '120,120';
      }, 30_000);
    } finally {
      again.kill('SIGINT');
      await again.exited;
    }
  });
});

async function segmentFiles(dataDir: string): Promise<string[]> {
  // The table is named events in every data dir of this file.
  const files = await readdir(join(dataDir, 'events')).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith('.seg'));
}

/**
 * TEST ONLY. The scaffolding of the crash tests (DESIGN.md section 3): a real Kinesis emulator,
 * a data dir, and `shardtable serve` as a child process that the test kills with SIGKILL (or
 * that kills itself at a `SHARDTABLE_FAULT_POINT`) and restarts on the same data dir; then the
 * ids in the table's segment files, counted.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, expect } from 'vitest';
import { createStream, kinesisClientFor, startEmulator } from '../../src/emulator/index.js';
import type { EmulatorKind, RunningEmulator } from '../../src/emulator/index.js';
import { openSegment } from '../../src/segment/index.js';
import { ServerProcess } from './server-process.js';

export interface CrashFixtureOptions {
  /** Default `kinesalite`. */
  readonly emulator?: EmulatorKind;
  /** Streams to create before the tests: name → shard count. */
  readonly streams: Readonly<Record<string, number>>;
  /** Prefix of the temporary data dir. */
  readonly dataDirPrefix: string;
}

/** How one crash of {@link CrashFixture.crash} happens. */
export interface CrashTiming {
  /** A kill at a random moment comes `minMs` + up to `spreadMs` after the records were produced. */
  readonly pause: { readonly minMs: number; readonly spreadMs: number };
  /** How long a server started at a fault point may take to reach it; default 60 s. */
  readonly faultTimeoutMs?: number;
}

export interface CrashFixture {
  readonly endpoint: string;
  readonly dataDir: string;
  /** A client for producing (HTTP/1.1, dummy credentials); destroyed in `afterAll`. */
  readonly client: KinesisClient;
  /** The server started last (valid after {@link start}). */
  readonly server: ServerProcess;
  /** `<dataDir>/<table>`: where the table's segment files are. */
  tableDir(table: string): string;
  /** Starts `serve` on the data dir, optionally set to kill itself at `faultPoint`. */
  start(faultPoint?: string): Promise<ServerProcess>;
  /** POSTs each schema, then each table config, to the running server; each must answer 200. */
  createTables(schemas: readonly object[], configs: readonly object[]): Promise<void>;
  /** SIGKILL now, and wait for the process to end. */
  killNow(): Promise<void>;
  /** SIGTERM; the server must exit with code 0 (its log is the failure message). */
  stop(): Promise<void>;
  /**
   * Stops the running server (if any), starts one set to kill itself at `fault`, runs `during`,
   * and expects the process to end by SIGKILL within `timeoutMs` (else: "never reached").
   */
  crashAtFault(fault: string, during: () => Promise<void>, timeoutMs: number): Promise<void>;
  /**
   * One crash and a restart: at `fault` (see {@link crashAtFault}) or, when `fault` is null, by
   * SIGKILL at a random moment after `during`. Either way a plain server is running afterwards.
   */
  crash(fault: string | null, during: () => Promise<void>, timing: CrashTiming): Promise<void>;
}

/**
 * Registers `beforeAll` (emulator, streams, data dir) and `afterAll` (a server still running is
 * killed, so a failed assertion leaves no process behind; emulator stopped; data dir removed) for
 * the enclosing `describe`; use the fixture inside its tests.
 *
 * @example
 *   const fx = crashFixture({ streams: { 'crash-test': 3 }, dataDirPrefix: 'shardtable-crash-' });
 *   it('...', async () => {
 *     await fx.start();
 *     await fx.createTables([schema], [config(fx.endpoint)]);
 *     await fx.crash(null, () => produce(500), { pause: { minMs: 700, spreadMs: 800 }, faultTimeoutMs: 30_000 });
 *   });
 */
export function crashFixture(options: CrashFixtureOptions): CrashFixture {
  let emulator: RunningEmulator | undefined;
  let client: KinesisClient | undefined;
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let running = false;

  beforeAll(async () => {
    emulator = await startEmulator(options.emulator ?? 'kinesalite');
    for (const [stream, shards] of Object.entries(options.streams)) await createStream(emulator.endpoint, stream, shards);
    client = kinesisClientFor(emulator.endpoint);
    dataDir = await mkdtemp(join(tmpdir(), options.dataDirPrefix));
  }, 120_000);

  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    client?.destroy();
    await emulator?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`crash fixture: no ${what} yet (use the fixture inside tests)`);
    return value;
  };
  const fixture: CrashFixture = {
    get endpoint() {
      return ready(emulator, 'emulator').endpoint;
    },
    get dataDir() {
      return ready(dataDir, 'data dir');
    },
    get client() {
      return ready(client, 'client');
    },
    get server() {
      return ready(server, 'server');
    },
    tableDir: (table) => join(fixture.dataDir, table),
    async start(faultPoint) {
      server = await ServerProcess.start({ dataDir: fixture.dataDir, ...(faultPoint !== undefined ? { env: { SHARDTABLE_FAULT_POINT: faultPoint } } : {}) });
      running = true;
      return server;
    },
    async createTables(schemas, configs) {
      for (const schema of schemas) {
        const created = await fixture.server.request('POST', '/schemas', schema);
        expect(created.status, JSON.stringify(created.json)).toBe(200);
      }
      for (const config of configs) {
        const created = await fixture.server.request('POST', '/tables', config);
        expect(created.status, JSON.stringify(created.json)).toBe(200);
      }
    },
    async killNow() {
      const s = fixture.server;
      s.kill('SIGKILL');
      await s.exited;
      running = false;
    },
    async stop() {
      const s = fixture.server;
      s.kill('SIGTERM');
      const exit = await s.exited;
      running = false;
      expect(exit.code, s.log()).toBe(0);
    },
    async crashAtFault(fault, during, timeoutMs) {
      if (running) await fixture.stop();
      const s = await fixture.start(fault);
      await during();
      const exit = await Promise.race([s.exited, sleep(timeoutMs).then(() => null)]);
      running = exit === null;
      expect(exit, `fault point ${fault} was never reached; log:\n${s.log()}`).toEqual({ code: null, signal: 'SIGKILL' });
    },
    async crash(fault, during, timing) {
      if (fault !== null) {
        await fixture.crashAtFault(fault, during, timing.faultTimeoutMs ?? 60_000);
      } else {
        await during();
        await sleep(timing.pause.minMs + Math.floor(Math.random() * timing.pause.spreadMs));
        await fixture.killNow();
      }
      await fixture.start();
    },
  };
  return fixture;
}

/** One segment file of a table and the values of its LONG id column, in doc order. */
export interface SegmentFileIds {
  readonly file: string;
  readonly partitionId: number;
  readonly shardId: string;
  readonly ids: readonly bigint[];
}

/**
 * The `.seg` files of `tableDir` with their ids. `skipUnreadable`: a file that does not open (the
 * server may be renaming it right now) is passed over instead of failing the test.
 */
export async function segmentFileIds(tableDir: string, options: { column?: string; skipUnreadable?: boolean } = {}): Promise<SegmentFileIds[]> {
  const column = options.column ?? 'id';
  const out: SegmentFileIds[] = [];
  for (const file of (await readdir(tableDir)).filter((f) => f.endsWith('.seg'))) {
    const opening = openSegment(join(tableDir, file));
    const segment = options.skipUnreadable === true ? await opening.catch(() => null) : await opening;
    if (segment === null) continue;
    const ids: bigint[] = [];
    for (let doc = 0; doc < segment.numDocs; doc++) ids.push(segment.getValue(column, doc) as bigint);
    out.push({ file, partitionId: segment.metadata.partitionId, shardId: segment.metadata.shardId, ids });
    segment.close();
  }
  return out;
}

/** How often each id appears across the table's segment files. */
export async function sealedIdCounts(tableDir: string, options: { column?: string; skipUnreadable?: boolean } = {}): Promise<Map<bigint, number>> {
  return countIds(await segmentFileIds(tableDir, options));
}

/** How often each id appears across `files`. */
export function countIds(files: readonly SegmentFileIds[]): Map<bigint, number> {
  const seen = new Map<bigint, number>();
  for (const { ids } of files) for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  return seen;
}

/** Every id of `expected` is counted exactly once, and no other id is counted. */
export function expectEachIdOnce(seen: ReadonlyMap<bigint, number>, expected: readonly bigint[]): void {
  expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
  expect(expected.filter((id) => !seen.has(id))).toEqual([]);
  expect(seen.size).toBe(expected.length);
}

/** Ids `0n` .. `count - 1`. */
export function idRange(count: number, from = 0): bigint[] {
  return Array.from({ length: count }, (_, i) => BigInt(from + i));
}

/** The rows of the table's sealed (not IN_PROGRESS) segments, as the server reports them over HTTP. */
export async function sealedRowsOverHttp(server: ServerProcess, table: string): Promise<number> {
  const response = await server.request('GET', `/tables/${table}/segments`);
  const names = ((response.json as { REALTIME?: string[] }[])[0]?.REALTIME ?? []) as string[];
  let rows = 0;
  for (const name of names) {
    const meta = (await server.request('GET', `/segments/${table}/${name}/metadata`)).json as { numDocs?: number; status?: string };
    if (meta.status !== 'IN_PROGRESS') rows += Number(meta.numDocs ?? 0);
  }
  return rows;
}

/**
 * Polls {@link sealedRowsOverHttp} every 250 ms until it reaches `total` or `timeoutMs` passes;
 * returns the last count (the caller asserts on it, with the log).
 */
export async function waitForSealedRows(server: ServerProcess, table: string, total: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let sealed = await sealedRowsOverHttp(server, table);
  while (sealed < total && Date.now() < deadline) {
    await sleep(250);
    sealed = await sealedRowsOverHttp(server, table);
  }
  return sealed;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freePort } from '../src/emulator/free-port.js';

const BIN = fileURLToPath(new URL('../../bin/shardtable.js', import.meta.url));

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (0 once it is gone). */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime field 14, stime field 15 (1-based, whole line).
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** One `shardtable serve --cluster …` process started through `bin/` (the built `dist/`). */
export class ClusterServer {
  readonly exited: Promise<void>;
  private log = '';
  private constructor(
    readonly id: string,
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    child.stderr?.on('data', (c: Buffer) => (this.log = (this.log + c.toString()).slice(-8000)));
    child.stdout?.resume();
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(id: string, dataDir: string, clusterArgs: readonly string[], env: Record<string, string>): Promise<ClusterServer> {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--port', String(port), '--server-id', id, ...clusterArgs], {
      env: { ...process.env, SHARDTABLE_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ClusterServer(id, `http://127.0.0.1:${port}`, child);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        if ((await fetch(`${server.url}/health`)).ok) return server;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`server ${id} did not become healthy:\n${server.log}`);
  }

  get pid(): number {
    return this.child.pid!;
  }

  cpuSeconds(): number {
    return cpuSecondsOf(this.pid);
  }

  lastLog(): string {
    return this.log;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    try {
      return { status: response.status, json: JSON.parse(text) };
    } catch {
      return { status: response.status, json: text };
    }
  }

  /** The rows of `sql` through this server as the broker, and whether the answer was partial. */
  async sql(sql: string): Promise<{ rows: unknown[][]; partial: boolean }> {
    const { status, json } = await this.request('POST', '/query/sql', { sql });
    if (status !== 200) throw new Error(`query failed (${status}): ${JSON.stringify(json).slice(0, 300)}`);
    const partial = json.partialResult === true || (json.exceptions ?? []).length > 0;
    return { rows: (json.resultTable?.rows ?? []) as unknown[][], partial };
  }
}

export interface LeaseRow {
  readonly table: string;
  readonly shardId: string;
  readonly owner: string | null;
}

/** Every lease of `<prefix>-leases` (consistent scan, all pages). */
export async function scanLeases(ddb: DynamoDBClient, prefix: string): Promise<LeaseRow[]> {
  const out: LeaseRow[] = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: `${prefix}-leases`, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const i of page.Items ?? []) out.push({ table: i.table?.S ?? '', shardId: i.shardId!.S!, owner: i.leaseOwner?.S ?? null });
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Leases held by live servers only, spread so that no server holds more than one more than another (the KCL's balance). */
export function balanced(leases: readonly LeaseRow[], live: readonly string[]): boolean {
  if (leases.length === 0 || leases.some((l) => l.owner === null || !live.includes(l.owner))) return false;
  const counts = live.map((id) => leases.filter((l) => l.owner === id).length);
  return Math.max(...counts) - Math.min(...counts) <= 1;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until<T>(what: string, probe: () => Promise<T | null | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== null && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

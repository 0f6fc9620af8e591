import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One measured quantity over repeated runs. */
export interface Measurement {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number[];
}

export interface BenchResult {
  readonly name: string;
  readonly machine: MachineInfo;
  readonly params: Record<string, unknown>;
  readonly metrics: Record<string, Measurement | number>;
  /** Per-item rows of a benchmark that measures a set (the query set). */
  readonly queries?: readonly Record<string, unknown>[];
}

export interface MachineInfo {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
}

export function machineInfo(): MachineInfo {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** Runs `fn` once to warm up, then `runs` times, and summarises what it returned. */
export async function repeat(runs: number, fn: () => Promise<number> | number): Promise<Measurement> {
  await fn();
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await fn());
  return summarise(values);
}

export function summarise(values: number[]): Measurement {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: values };
}

export const RESULTS_DIR = join(process.cwd(), 'bench', 'results');

export async function saveResult(result: BenchResult): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(join(RESULTS_DIR, `${result.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

export function fmt(n: number, digits = 2): string {
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(digits);
}

/** `median (min–max)` of a measurement. */
export function spread(m: Measurement, digits = 2): string {
  return `${fmt(m.median, digits)} (${fmt(m.min, digits)}–${fmt(m.max, digits)})`;
}

/**
 * A full garbage collection, for heap deltas. Works without `--expose-gc` on the command line:
 * the flag is set at run time and `gc` taken from a fresh context.
 */
export function forceGc(): void {
  if (gcFn === undefined) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}
let gcFn: (() => void) | undefined;

/** Heap plus off-heap (Buffers, typed arrays) bytes in use, after a full GC. */
export function usedBytesAfterGc(): number {
  forceGc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Milliseconds since `start` (from `process.hrtime.bigint()`). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Value at quantile `q` (0–1) of unsorted numbers, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

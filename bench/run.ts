import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fmt, machineInfo, saveResult, spread } from './harness.js';
import type { BenchResult, Measurement } from './harness.js';
import { benchIngest } from './ingest.js';
import { benchSeal } from './seal.js';

/**
 * `npm run bench [-- --quick]`: runs every benchmark with its baseline in the same process,
 * writes `bench/results/<name>.json` and rewrites `BENCHMARKS.md`.
 */
async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const results: BenchResult[] = [];
  for (const bench of [benchIngest, benchSeal]) {
    const result = await bench(quick);
    await saveResult(result);
    results.push(result);
  }
  await writeFile(join(process.cwd(), 'BENCHMARKS.md'), markdown(results, quick));
}

function m(result: BenchResult | undefined, key: string): Measurement {
  return result?.metrics[key] as Measurement;
}

function n(result: BenchResult | undefined, key: string): number {
  return result?.metrics[key] as number;
}

function markdown(results: BenchResult[], quick: boolean): string {
  const machine = machineInfo();
  const ingest = results.find((r) => r.name === 'ingest');
  const seal = results.find((r) => r.name === 'seal');
  return [
    '# Benchmarks',
    '',
    `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}. ` +
      `Mode: ${quick ? '`--quick`' : 'full'}. Each figure is the median of ${String(ingest?.params.runs ?? 5)} measured runs after a warm-up, with (min–max).`,
    '',
    'Reproduce: `npm install && npm run bench` (add `-- --quick` for the short set). Raw numbers: `bench/results/*.json`.',
    '',
    '| benchmark | shardtable | baseline (same run) | ratio / target |',
    '|---|---|---|---|',
    ingest
      ? `| ingest: decode + index of ${fmt(Number(ingest.params.records))} quickstart events (${String(ingest.params.columns)} columns, ${String(ingest.params.avgRecordBytes)} B each) | ` +
        `${fmt(n(ingest, 'engineRowsPerSec'))} rows/s/core, ${fmt(n(ingest, 'engineMBPerSec'))} MB/s/core; s: ${spread(m(ingest, 'engineSeconds'), 3)} | ` +
        `JSON.parse + typed-array append: ${fmt(n(ingest, 'baselineRowsPerSec'))} rows/s; s: ${spread(m(ingest, 'baselineSeconds'), 3)} | ` +
        `${fmt(n(ingest, 'ratioToBaseline'))} x baseline (target ≥ 0.8) |`
      : '',
    seal
      ? `| seal: ${fmt(Number(seal.params.rows))} rows → segment file | ${spread(m(seal, 'sealSeconds'))} s; ${fmt(n(seal, 'fileBytes') / 1e6)} MB; event loop blocked up to ${fmt(n(seal, 'maxEventLoopBlockMs'), 0)} ms | ` +
        `JSON input: ${fmt(Number(seal.params.jsonBytes) / 1e6)} MB | file = ${fmt(100 * n(seal, 'fileToJsonRatio'), 1)} % of JSON (target ≤ 25 %); seal target ≤ 2 s per 1M rows, loop block ≤ 100 ms |`
      : '',
    '',
    'Freshness, query and memory benchmarks come with the query engine (issue 5).',
    '',
  ].join('\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

#!/usr/bin/env node
// Runs the property tests (`*.fuzz.test.ts`) longer than `npm test` does.
//   npm run fuzz -- [--runs N] [--seed S] [vitest file filter ...]
// --runs: cases per property (default 10000; npm test runs 300); --seed: replay a failure (fast-check
// prints the seed and the shrunk input when a property fails). See docs/operations.md.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const args = process.argv.slice(2);
const env = { ...process.env, SHARDTABLE_FUZZ_RUNS: '10000' };
const filters = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const [flag, inline] = a.split('=', 2);
  const value = () => inline ?? args[++i];
  if (flag === '--runs') env.SHARDTABLE_FUZZ_RUNS = value();
  else if (flag === '--seed') env.SHARDTABLE_FUZZ_SEED = value();
  else filters.push(a);
}
if (!/^\d+$/.test(env.SHARDTABLE_FUZZ_RUNS ?? '')) {
  console.error(`--runs must be a whole number, got ${env.SHARDTABLE_FUZZ_RUNS}`);
  process.exit(2);
}
const require = createRequire(import.meta.url);
const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
// A property runs inside one test: allow ~50 ms per case on top of vitest's usual minute.
const timeout = String(60_000 + Number(env.SHARDTABLE_FUZZ_RUNS) * 50);
const result = spawnSync(process.execPath, [vitest, 'run', `--testTimeout=${timeout}`, ...(filters.length > 0 ? filters : ['.fuzz.test.ts'])], { env, stdio: 'inherit' });
process.exit(result.status ?? 1);

/**
 * The `npm run conformance` runner (entry point: `../cli.ts`): Pinot's full airline query file (10,005 queries) against DuckDB, through
 * a real server fed by a Kinesis emulator. Prints a report of every failure, then
 * `N passed, N failed` alone on the last line; exits 1 when anything failed.
 *
 *   npm run conformance                 # the 10K file
 *   npm run conformance -- --200        # the 200-query file
 *   npm run conformance -- --compat     # also Pinot's compat suite (expected answers)
 *   npm run conformance -- --max-failures 50
 */
import { AIRLINE_QUERY_FILES, airlineQueries, airlineRecords, loadAirlineOracle, loadAirlineShardtable } from './airline.js';
import { runAirlineQueries } from './airline-runner.js';
import { loadCompatSuite } from './compat-suite.js';
import { loadCompatTables, runCompatQueries } from './compat-runner.js';
import { DuckDbOracle } from './duckdb-oracle.js';
import { Harness } from './harness.js';
import { counts, formatReport } from './report.js';
import type { FileReport } from './report.js';

/** Runs the conformance CLI with `argv` (without node and script); resolves to the exit code. */
export async function runConformanceCli(argv: readonly string[]): Promise<number> {
  const file = argv.includes('--200') ? AIRLINE_QUERY_FILES.q200 : AIRLINE_QUERY_FILES.q10k;
  const maxAt = argv.indexOf('--max-failures');
  const maxFailures = maxAt >= 0 ? Number(argv[maxAt + 1]) : Infinity;
  const reports: FileReport[] = [];
  const h = await Harness.start();
  const oracle = await DuckDbOracle.open();
  try {
    if (argv.includes('--compat')) {
      const suite = loadCompatSuite();
      await loadCompatTables(h, suite);
      reports.push(...(await runCompatQueries(h, suite)));
    }
    const records = airlineRecords();
    const started = Date.now();
    await Promise.all([loadAirlineOracle(oracle, records), loadAirlineShardtable(h, records)]);
    process.stderr.write(`loaded ${records.length} airline rows into shardtable and DuckDB in ${Date.now() - started} ms\n`);
    const queries = airlineQueries(file);
    const outcomes = await runAirlineQueries(h, oracle, file, queries, {
      concurrency: 4,
      onProgress: (done) => {
        if (done % 1000 === 0 || done === queries.length) process.stderr.write(`${done}/${queries.length} queries\n`);
      },
    });
    reports.push({ file, outcomes });
  } finally {
    oracle.close();
    await h.close();
  }
  const all = reports.flatMap((r) => r.outcomes);
  const total = counts(all);
  console.log(formatReport(reports, { maxFailures }));
  console.log(`\n${total.passed} passed, ${total.failed} failed`);
  return total.failed === 0 ? 0 : 1;
}


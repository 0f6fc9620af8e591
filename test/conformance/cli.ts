/**
 * `npm run conformance`: Pinot's full airline query file (10,005 queries) against DuckDB, through
 * a real server fed by a Kinesis emulator. Prints a report of every failure, then
 * `N passed, N failed` alone on the last line; exits 1 when anything failed.
 *
 *   npm run conformance                 # the 10K file
 *   npm run conformance -- --200        # the 200-query file
 *   npm run conformance -- --compat     # also Pinot's compat suite (expected answers)
 *   npm run conformance -- --max-failures 50
 */
// Quiet the AWS SDK's Node-version warning before the SDK loads (as bin/shardtable.js does).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { runConformanceCli } = await import('./lib/cli-main.js');
runConformanceCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 2;
  },
);

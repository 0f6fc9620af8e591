/**
 * Exit codes of every `shardtable` command, documented in README.md ("Commands") and
 * docs/cli.md. Scripts may rely on them: they never change meaning.
 */
export const EXIT = Object.freeze({
  /** The command did what it was asked. */
  OK: 0,
  /** It failed: a query answered with exceptions, a corrupt file, a stream or table error. */
  FAILED: 1,
  /** Same as FAILED, named for `query`: exceptions in the broker response, or an HTTP error. */
  QUERY_FAILED: 1,
  /** The command line was wrong: an unknown command or option, a missing or bad argument. */
  USAGE: 2,
  /** No server answered at `--server` (connection refused, DNS, timeout). */
  UNREACHABLE: 3,
  /** The data dir is in use by another process (`serve` or another `ingest`). */
  LOCKED: 4,
});

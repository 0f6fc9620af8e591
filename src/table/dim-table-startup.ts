import type { TableRuntime } from '../ingest/table-runtime.js';
import type { TableEntry } from './table-entry.js';

/** How long a start waits at most for dimension tables to catch up with their streams. */
export const DIM_CATCH_UP_LIMIT_MS = 10_000;
const POLL_MS = 50;

/**
 * True while a table is still reading towards the tip of its stream: its shards are not listed
 * yet, or a partition is behind (`CONSUMING`). A table whose stream is down, or whose partitions
 * retry, failed, paused or ended, is not waited for.
 */
function catchingUp(runtime: TableRuntime): boolean {
  const status = runtime.status?.();
  if (status !== undefined && (status.ingestion.state === 'DOWN' || status.discovery.lastError !== null)) return false;
  const partitions = runtime.partitions();
  return partitions.length === 0 || partitions.some((p) => p.state === 'CONSUMING');
}

/**
 * Resolves once every one of these (dimension) tables has read its stream up to the tip as its
 * partitions report it (`CAUGHT_UP`), or cannot for now, or after `limitMs`: at start, a
 * dimension table re-reads the rows of its consuming segments from the stream, and other tables'
 * transforms that call `lookUp()` on it should see them. Best effort: a partition counts as caught
 * up after a fetch that returned nothing, which a Kinesis endpoint may answer before it returns
 * records (kinesalite does, at times), so rows of a dimension table's consuming segment can still
 * be missed by records transformed right after a restart (docs/query.md). A table that cannot
 * catch up delays the start by at most `limitMs`.
 */
export async function dimTablesCaughtUp(runtimes: readonly TableRuntime[], limitMs = DIM_CATCH_UP_LIMIT_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (runtimes.some(catchingUp)) {
    if (Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Launches the tables of a start: dimension tables first, then (once they have caught up with
 * their streams, `dimTablesCaughtUp`) the others, so transforms calling `lookUp()` find their
 * rows. `launch` starts one table and never rejects.
 */
export async function launchDimensionTablesFirst(entries: readonly TableEntry[], launch: (entry: TableEntry) => Promise<unknown>): Promise<void> {
  const isDim = (entry: TableEntry): boolean => entry.table.config.isDimTable === true;
  const dims = entries.filter(isDim);
  await Promise.all(dims.map(launch));
  await dimTablesCaughtUp(dims.flatMap((entry) => (entry.runtime ? [entry.runtime] : [])));
  await Promise.all(entries.filter((entry) => !isDim(entry)).map(launch));
}

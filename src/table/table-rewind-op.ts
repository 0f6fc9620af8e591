import { ShardtableError } from '../errors.js';
import type { RewindResult, RewindTarget, TableRuntime } from '../ingest/table-runtime.js';
import type { Logger } from '../logger.js';
import type { Catalog } from './catalog.js';
import type { TableEntry } from './table-entry.js';
import type { TableLauncher } from './table-launcher.js';

/**
 * The `to` of `POST /tables/{t}/rewind`: `TRIM_HORIZON`, epoch millis, or an ISO-8601 time (with
 * a zone). 400 `REWIND_TARGET` for anything else, 400 `REWIND_IN_FUTURE` for a time after `nowMs`.
 *
 * @example
 *   parseRewindTarget('1767225600000', Date.now()); // { kind: 'timestamp', ms: 1767225600000 }
 */
export function parseRewindTarget(to: string | undefined, nowMs: number): RewindTarget {
  const text = (to ?? '').trim();
  if (text.toUpperCase() === 'TRIM_HORIZON') return { kind: 'trimHorizon' };
  let ms = Number.NaN;
  if (/^\d{1,16}$/.test(text)) ms = Number(text);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) ms = Date.parse(text);
  if (!Number.isSafeInteger(ms)) throw new ShardtableError('REWIND_TARGET', { field: 'to', value: JSON.stringify(to ?? null) });
  if (ms > nowMs) throw new ShardtableError('REWIND_IN_FUTURE', { time: `${new Date(ms).toISOString()} (${ms})`, now: new Date(nowMs).toISOString() });
  return { kind: 'timestamp', ms };
}

/** Pinot's `consumeFrom` of `resumeConsumption`: `smallest` = rewind to TRIM_HORIZON, `largest` = skip to what arrives from now on. */
export function consumeFromTarget(consumeFrom: string, nowMs: number): RewindTarget {
  if (consumeFrom === 'smallest') return { kind: 'trimHorizon' };
  if (consumeFrom === 'largest') return { kind: 'latest', ms: nowMs };
  throw new ShardtableError('CONSUME_FROM', { value: JSON.stringify(consumeFrom) });
}

/**
 * Rewinds a running table (docs/operations.md, "Rewind"), refusing what a rewind cannot do right:
 * upsert and dedup tables (a replayed record would be taken as a new version of its key, and the
 * key map cannot follow a segment swap), dimension tables (read whole, no stream position), and a
 * rewind to a time on a stream type that cannot position by time.
 */
export async function rewindTable(entry: TableEntry, runtime: TableRuntime, target: RewindTarget): Promise<RewindResult> {
  const { config } = entry.table;
  const refuse = (reason: string): never => {
    throw new ShardtableError('REWIND_UNSUPPORTED', { table: config.tableName, reason });
  };
  if (config.upsert !== undefined || config.dedup !== undefined) refuse(`it is ${config.upsert ? 'an upsert' : 'a dedup'} table: a replayed record would count as a new version of its primary key; delete and re-create the table to re-ingest it`);
  if (config.isDimTable === true) refuse('it is a dimension table');
  const untimed = config.streams.filter((s) => s.streamType !== 'kinesis');
  if (target.kind !== 'trimHorizon' && untimed.length > 0) refuse(`stream type ${untimed[0]!.streamType} cannot start reading at a time; only to=TRIM_HORIZON (consumeFrom=smallest) is possible`);
  if (runtime.rewind === undefined) refuse('its runtime cannot rewind');
  return runtime.rewind!(target);
}

/** `TableManager.setEnabled`'s work, in the table's queue: persist the flag, then start or stop the runtime. */
export async function setTableEnabled(entry: TableEntry, enabled: boolean, catalog: Catalog, launcher: TableLauncher, log: Logger): Promise<void> {
  const tableName = entry.table.config.tableName;
  if (entry.disabled === !enabled) return;
  await catalog.setDisabled(tableName, !enabled);
  entry.disabled = !enabled;
  if (enabled) await launcher.launch(entry, { onFailure: 'record' }, { waitForStream: false });
  else await launcher.stop(entry);
  log.info({ table: tableName }, enabled ? 'table enabled' : 'table disabled');
}

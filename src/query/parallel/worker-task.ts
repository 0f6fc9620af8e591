import { statSync } from 'node:fs';
import { openSegment } from '../../segment/open-segment.js';
import type { SealedSegment } from '../../segment/sealed-segment.js';
import { addedColumns, withDefaultColumns } from '../exec/default-columns.js';
import { Deadline, withDeadline, withQueryStart } from '../exec/deadline.js';
import { buildFilter } from '../exec/filter-tree.js';
import { Scratch } from '../exec/scratch.js';
import { scanToPartial } from '../exec/segment-partial.js';
import { sealedSnapshot } from '../exec/segment-snapshot.js';
import { withVirtualColumns } from '../exec/virtual-columns.js';
import { parseSql } from '../parser/parse-statement.js';
import { planQuery } from '../plan/planner.js';
import type { QueryPlan } from '../plan/query-plan.js';
import { parseQueryOptionsString } from '../plan/query-options.js';
import { QueryError } from '../query-error.js';
import type { PoolReply, PoolRequest, WorkerQuery } from './messages.js';

/** Plans of recent queries, by query id (a query's segments usually come to the same worker in a row). */
const PLANS_KEPT = 16;
/** Opened segment files (footers only; their blocks live in this thread's block cache). */
const SEGMENTS_KEPT = 4096;

const plans = new Map<number, QueryPlan>();
const segments = new Map<string, Promise<SealedSegment>>();

/** The plan of `q`, made here with the planner the main thread used (same SQL, options, schema and start time). */
function planOf(q: WorkerQuery): QueryPlan {
  let plan = plans.get(q.id);
  if (plan === undefined) {
    const options = q.options ? parseQueryOptionsString(q.options) : new Map<string, string>();
    const stmt = parseSql(q.sql, options);
    // The main thread sends no query that reads a dimension table (lookUp, JOIN).
    const noDims = (): undefined => {
      throw new Error('internal: a query that reads a dimension table was sent to a worker thread');
    };
    plan = withQueryStart(q.startedMs, () => planQuery(stmt, q.schema, q.tableName, options, noDims));
    plans.set(q.id, plan);
    if (plans.size > PLANS_KEPT) plans.delete(plans.keys().next().value!);
  }
  return plan;
}

/**
 * The segment at `file`, opened once per thread per version of the file (header, trailer and
 * footer; sections are checked by their own CRC when read). The version is the file's inode,
 * size and change time: a table dropped and made again writes new files under the same paths,
 * and those must never be read through an old footer. Throws when the file is gone (retired
 * after the main thread's snapshot): the main thread reads it through its pinned descriptor.
 */
async function segmentAt(file: string, name: string, numDocs: number): Promise<SealedSegment> {
  const stat = statSync(file, { bigint: true });
  const key = `${file}\u0000${stat.ino}\u0000${stat.size}\u0000${stat.ctimeNs}\u0000${stat.mtimeNs}`;
  let opening = segments.get(key);
  if (opening === undefined) {
    opening = openSegment(file, { verifyChecksum: false });
    segments.set(key, opening);
    opening.catch(() => segments.delete(key));
    if (segments.size > SEGMENTS_KEPT) {
      const [oldest, open] = segments.entries().next().value!;
      segments.delete(oldest);
      void open.then((s) => s.close(), () => undefined);
    }
  } else {
    // Most recently used last.
    segments.delete(key);
    segments.set(key, opening);
  }
  const segment = await opening;
  if (segment.name !== name || segment.numDocs !== numDocs) throw new Error(`${file} holds segment ${segment.name} with ${segment.numDocs} rows, not ${name} with ${numDocs}`);
  return segment;
}

/**
 * Runs one segment task: plans the query (cached), opens the file, scans it with the query's
 * deadline and cancel flag, and answers the segment's partial result with the buffers to
 * transfer. A file that cannot be opened here (unlinked after the main thread's snapshot, or a
 * segment that lives only in memory) answers `unavailable`: the main thread reads it instead.
 */
export async function runSegmentTask(t: Extract<PoolRequest, { kind: 'segment' }>): Promise<{ reply: PoolReply; transfer: ArrayBuffer[] }> {
  const cancel = new Int32Array(t.cancel);
  const expired = (): Error => new QueryError('EXECUTION_TIMEOUT', { timeoutMs: 0, processed: 0, total: 0 });
  try {
    const plan = planOf(t.query);
    let segment: SealedSegment;
    try {
      segment = await segmentAt(t.file, t.segmentName, t.numDocs);
    } catch (err) {
      return { reply: { kind: 'unavailable', task: t.task, reason: (err as Error).message }, transfer: [] };
    }
    const snapshot = withVirtualColumns(withDefaultColumns(sealedSnapshot(segment, t.liveDocs), addedColumns(t.query.schema.columns, segment.schema.columnIndex), segment.metadata.nullHandlingEnabled));
    const deadline = new Deadline(t.deadlineMs, Date.now, expired, cancel);
    const ctx = { plan, filterTree: buildFilter(plan.filter), scratch: new Scratch(), deadline, slice: null, liveSel: { buffer: new Int32Array(0) } };
    const { result, transfer } = await withDeadline(deadline, () => scanToPartial(ctx, snapshot));
    return { reply: { kind: 'done', task: t.task, result }, transfer };
  } catch (err) {
    const e = err instanceof QueryError ? err : new QueryError('QUERY_EXECUTION', err instanceof Error ? err.message : String(err));
    return { reply: { kind: 'error', task: t.task, errorKind: e.kind, message: e.message }, transfer: [] };
  }
}

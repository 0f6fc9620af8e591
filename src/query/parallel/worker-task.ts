import { statSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { openSegment } from '../../segment/open-segment.js';
import type { SealedSegment } from '../../segment/sealed-segment.js';
import { addedColumns, withDefaultColumns } from '../exec/default-columns.js';
import { Deadline, withDeadline, withQueryStart } from '../exec/deadline.js';
import { buildFilter } from '../exec/filter-tree.js';
import { Scratch } from '../exec/scratch.js';
import { exportPartialResult, partialSink } from '../exec/segment-partial.js';
import { scanSegment } from '../exec/segment-scan.js';
import type { ScanOutcome, ScanSink } from '../exec/segment-scan.js';
import { sealedSnapshot } from '../exec/segment-snapshot.js';
import type { SegmentSnapshot } from '../exec/segment-snapshot.js';
import { SharedTopBound } from '../exec/shared-top-bound.js';
import { withVirtualColumns } from '../exec/virtual-columns.js';
import { parseSql } from '../parser/parse-statement.js';
import { planQuery } from '../plan/planner.js';
import type { QueryPlan } from '../plan/query-plan.js';
import { parseQueryOptionsString } from '../plan/query-options.js';
import { QueryError } from '../query-error.js';
import type { BatchPiece, BatchResult, PoolReply, PoolRequest, SegmentRef, WorkerQuery } from './messages.js';
import { SegmentClaims } from './segment-claims.js';

/** Plans of recent queries, by query id (a query's segments usually come to the same worker in a row). */
const PLANS_KEPT = 16;
/** Opened segment files (footers only; their blocks live in this thread's block cache). */
const SEGMENTS_KEPT = 4096;

const plans = new Map<number, QueryPlan>();
const segments = new Map<string, Promise<SealedSegment>>();

/** The plan of `q`, made here with the planner the main thread used (same SQL, options, schema and start time). */
export function planOf(q: WorkerQuery): QueryPlan {
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
 * What a task reads of segment `ref` once opened: the rows live when the query started, the
 * columns the table gained since the segment was sealed (their defaults) and the virtual columns.
 */
export function taskSnapshot(segment: SealedSegment, ref: SegmentRef, query: WorkerQuery): SegmentSnapshot {
  const columns = addedColumns(query.schema.columns, segment.schema.columnIndex);
  return withVirtualColumns(withDefaultColumns(sealedSnapshot(segment, ref.liveDocs), columns, segment.metadata.nullHandlingEnabled));
}

/**
 * The segment at `file`, opened once per thread per version of the file (header, trailer and
 * footer; sections are checked by their own CRC when read). The version is the file's inode,
 * size and change time: a table dropped and made again writes new files under the same paths,
 * and those must never be read through an old footer. Throws when the file is gone (retired
 * after the main thread's snapshot): the main thread reads it through its pinned descriptor.
 */
export async function segmentAt(file: string, name: string, numDocs: number): Promise<SealedSegment> {
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
 * Runs one task: plans the query (cached), then takes segments from the query's shared queue
 * (`SegmentClaims`: the front of its lane, then one at a time from the back of the fullest
 * lane) until it is empty, scanning each into the partial of its run (`numGroupsLimit` applies
 * per segment, as on the main thread), with the query's deadline and cancel flag. It answers the
 * runs' partial results. Before each segment but the first it stops
 * if `yieldFlag` is set (a query waits); a file it cannot open (unlinked after the main thread's
 * snapshot) is named in the reply for the main thread to read. `progress` receives the position
 * of the segment being read (named if the thread dies).
 */
export async function runBatchTask(t: Extract<PoolRequest, { kind: 'batch' }>, yieldFlag: Int32Array, progress: Int32Array): Promise<PoolReply> {
  const cancel = new Int32Array(t.cancel);
  const expired = (): Error => new QueryError('EXECUTION_TIMEOUT', { timeoutMs: 0, processed: 0, total: 0 });
  let reading = -1;
  try {
    const plan = planOf(t.query);
    const deadline = new Deadline(t.deadlineMs, Date.now, expired, cancel);
    const topBound = t.topBound === undefined ? null : new SharedTopBound(t.topBound.buffer, t.topBound.desc);
    const ctx = { plan, filterTree: buildFilter(plan.filter), scratch: new Scratch(), deadline, slice: null, liveSel: { buffer: new Int32Array(0) }, topBound };
    const claims = new SegmentClaims(t.claims);
    const breaks = new Set(t.breakBefore);
    const pieces: BatchPiece[] = [];
    const unavailable: BatchResult['unavailable'] = [];
    let run: { sink: ScanSink; first: number; last: number; outcomes: ScanOutcome[] } | null = null;
    const close = (): void => {
      if (run === null) return;
      // Its buffers are copied into the reply, not transferred (`postReply` says why).
      pieces.push({ ...exportPartialResult(run.sink, run.outcomes, false).result, first: run.first, last: run.last });
      run = null;
    };
    let yielded = false;
    let own = true;
    let taken = 0;
    await withDeadline(deadline, async () => {
      for (;;) {
        if (taken > 0 && Atomics.load(yieldFlag, 0) !== 0) {
          yielded = true;
          break;
        }
        let position = own ? claims.takeFront(t.lane) : -1;
        if (position < 0) {
          own = false;
          position = claims.steal();
        }
        if (position < 0) break;
        taken++;
        reading = position;
        Atomics.store(progress, 0, position);
        const ref = t.segments[position]!;
        let segment: SealedSegment;
        try {
          segment = await segmentAt(ref.file, ref.segmentName, ref.numDocs);
        } catch (err) {
          close();
          unavailable.push({ position, reason: (err as Error).message });
          continue;
        }
        // A run goes on with the next segment of the lane; a stolen one is a run of its own.
        if (run === null || !own || position !== run.last + 1 || breaks.has(position)) {
          close();
          run = { sink: partialSink(plan, topBound), first: position, last: position, outcomes: [] };
        }
        const snapshot = taskSnapshot(segment, ref, t.query);
        run.outcomes.push(await scanSegment(ctx, snapshot, run.sink));
        run.last = position;
        reading = -1;
      }
    });
    close();
    return { kind: 'done', task: t.task, result: { thread: threadId, pieces, unavailable, yielded } };
  } catch (err) {
    const e = err instanceof QueryError ? err : new QueryError('QUERY_EXECUTION', err instanceof Error ? err.message : String(err));
    // The segments after a failed one need no reading (the query fails with the first failure).
    if (reading >= 0 && e.kind !== 'EXECUTION_TIMEOUT') new SegmentClaims(t.claims).stopAt(reading + 1);
    return { kind: 'error', task: t.task, errorKind: e.kind, message: e.message, position: reading };
  }
}

/**
 * Posts a task's reply to the main thread, copied: never with a transfer list. Transferring
 * detaches the buffers in this thread, and the first ArrayBuffer an isolate detaches invalidates
 * V8's array-buffer-detaching protector for good: from then on every optimised typed-array loop
 * of the thread checks for a detached buffer at each access. Measured (bench/notes.md, "Why a
 * worker was slower than the main thread"): the same scans 10-50 % slower than on the main thread
 * (`unionDocs` 2x). A partial is small beside the scan it sums up, so the copy costs far less. A
 * reply that cannot be cloned (a bug) fails its query with the cause; the thread stays.
 */
export function postReply(port: Pick<MessagePort, 'postMessage'>, task: number, reply: PoolReply): void {
  try {
    port.postMessage(reply);
  } catch (err) {
    port.postMessage({ kind: 'error', task, errorKind: 'QUERY_EXECUTION', message: `the partial result could not be sent: ${(err as Error).message}`, position: -1 } satisfies PoolReply);
  }
}

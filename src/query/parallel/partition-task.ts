import { BroadcastChannel } from 'node:worker_threads';
import type { SealedSegment } from '../../segment/sealed-segment.js';
import { Deadline, withDeadline } from '../exec/deadline.js';
import { buildFilter } from '../exec/filter-tree.js';
import { orderedGroups } from '../exec/post-aggregation.js';
import { Scratch } from '../exec/scratch.js';
import { scanSegment } from '../exec/segment-scan.js';
import type { ScanContext, ScanOutcome } from '../exec/segment-scan.js';
import type { AggregationPlan } from '../plan/query-plan.js';
import { QueryError } from '../query-error.js';
import type { AggregationPartial } from '../exec/group-by.js';
import type { PartitionChannelMessage, PartitionRequest, PartitionResult, PoolReply } from './messages.js';
import { PartitionAggregator } from './partition-aggregator.js';
import { planOf, segmentAt, taskSnapshot } from './worker-task.js';

/**
 * Runs one partition of a query split by key, on a worker thread: reads every sealed segment of
 * the task in segment order into one `PartitionAggregator` (rows of other partitions are
 * skipped), merges the partials the main thread made of the same partition of its segments, and
 * answers the partition's best groups (`orderedGroups`: HAVING, ORDER BY, the first `offset +
 * limit`) or, without GROUP BY, its one row. `progress` receives the position of the segment
 * being read (named if the thread dies). A segment it cannot open is named in the answer.
 */
export async function runPartitionTask(t: PartitionRequest, progress: Int32Array): Promise<PoolReply> {
  const cancel = new Int32Array(t.cancel);
  const expired = (): Error => new QueryError('EXECUTION_TIMEOUT', { timeoutMs: 0, processed: 0, total: 0 });
  let reading = -1;
  let local: LocalPartials | null = null;
  try {
    const plan = planOf(t.query);
    if (plan.kind !== 'aggregation') throw new Error('internal: only aggregations are split by key');
    const deadline = new Deadline(t.deadlineMs, Date.now, expired, cancel);
    const ctx: ScanContext = { plan, filterTree: buildFilter(plan.filter), scratch: new Scratch(), deadline, slice: null, liveSel: { buffer: new Int32Array(0) } };
    const aggregator = new PartitionAggregator(plan, t.partition);
    local = t.channel === null ? null : new LocalPartials(t.channel, t.index);
    const sink = { aggregator, collector: null };
    const outcomes: ScanOutcome[] = [];
    const unavailable: number[] = [];
    await withDeadline(deadline, async () => {
      for (let position = 0; position < t.segments.length; position++) {
        deadline.check();
        reading = position;
        Atomics.store(progress, 0, position);
        const ref = t.segments[position]!;
        let segment: SealedSegment;
        try {
          segment = await segmentAt(ref.file, ref.segmentName, ref.numDocs);
        } catch {
          // The main thread answers the whole query itself: nothing more to read here.
          unavailable.push(position);
          break;
        }
        const snapshot = taskSnapshot(segment, ref, t.query);
        outcomes.push(await scanSegment(ctx, snapshot, sink));
      }
      reading = -1;
    });
    if (local !== null) {
      const parts = await local.received(deadline);
      for (const part of parts) aggregator.mergePartial(part);
    }
    const result: PartitionResult = { rows: answerRows(plan, aggregator), outcomes, unavailable, limitReached: aggregator.limitReached };
    return { kind: 'done', task: t.task, result };
  } catch (err) {
    const e = err instanceof QueryError ? err : new QueryError('QUERY_EXECUTION', err instanceof Error ? err.message : String(err));
    return { kind: 'error', task: t.task, errorKind: e.kind, message: e.message, position: reading };
  } finally {
    local?.close();
  }
}

/**
 * This partition of the segments the main thread reads, received on the query's channel: the
 * worker listens (and asks) before it scans, so the answer cannot pass it by; the message is
 * taken when the scan is done (the event loop runs it then).
 */
class LocalPartials {
  private readonly channel: BroadcastChannel;
  private parts: readonly AggregationPartial[] | null = null;
  private wake: (() => void) | null = null;

  constructor(name: string, index: number) {
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (event: unknown) => {
      const m = (event as { data: PartitionChannelMessage }).data;
      if (!('partition' in m) || m.partition !== index) return;
      this.parts = m.local;
      this.wake?.();
    };
    this.channel.postMessage({ ask: index } satisfies PartitionChannelMessage);
  }

  /** The partials, once the main thread has sent them (the deadline and cancel flag are read every 5 ms). */
  async received(deadline: Deadline): Promise<readonly AggregationPartial[]> {
    while (this.parts === null) {
      deadline.check();
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 5);
      });
    }
    return this.parts;
  }

  close(): void {
    this.channel.close();
  }
}

/** The partition's answer: its best groups, or its one row without GROUP BY. */
function answerRows(plan: AggregationPlan, aggregator: PartitionAggregator): PartitionResult['rows'] {
  const rows = aggregator.results();
  return plan.groupBy.length > 0 ? orderedGroups(plan, rows) : rows;
}

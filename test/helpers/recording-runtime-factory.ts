import { rm } from 'node:fs/promises';
import type { TableConfig } from '../../src/config/table-config.js';
import { partitionStatus } from './partition-status.js';
import type { PartitionStatus, RuntimeStartOptions, SegmentSummary, TableRuntime, TableRuntimeFactory } from '../../src/ingest/table-runtime.js';

/**
 * TEST ONLY. A `TableRuntimeFactory` whose runtimes read no stream: state is kept in memory and
 * every lifecycle call is recorded, so table-manager and HTTP tests can check what the manager
 * did. Each table shows one sealed segment, one consuming partition and one ended partition.
 */
export interface RecordingRuntime extends TableRuntime {
  readonly tableDir: string;
  /** `start`, `stop`, `drop`, `pause`, `resume`, in call order. */
  readonly calls: string[];
  readonly paused: boolean;
  readonly running: boolean;
  /** Completes a requested force commit: the consuming segment is listed as sealed from then on. */
  commitNow(): void;
}

export interface RecordingRuntimeFactory {
  readonly factory: TableRuntimeFactory;
  /** Every runtime built, oldest first. */
  readonly runtimes: RecordingRuntime[];
  /** `<table>:<call>` across all runtimes, in order. */
  readonly log: string[];
  /** The newest runtime of a table. */
  latest(tableName: string): RecordingRuntime | undefined;
  /** Makes `start()` throw what this returns (when it returns something) for the config. */
  failStart: ((config: TableConfig) => unknown) | undefined;
  /** Makes `start()` wait for the promise this returns (a stream that is slow to answer), before `failStart`. */
  holdStart: ((config: TableConfig, options: RuntimeStartOptions) => Promise<void> | undefined) | undefined;
  /** Makes `pause()` throw what this returns (when it returns something) for the config. */
  failPause: ((config: TableConfig) => unknown) | undefined;
}

export function sealedSegmentName(table: string): string {
  return `${table}__0__0__20240101T0000Z`;
}

export function consumingSegmentName(table: string): string {
  return `${table}__0__1__20240101T0100Z`;
}

export function recordingRuntimeFactory(): RecordingRuntimeFactory {
  const runtimes: RecordingRuntime[] = [];
  const log: string[] = [];
  const recorder: RecordingRuntimeFactory = {
    runtimes,
    log,
    failStart: undefined,
    holdStart: undefined,
    failPause: undefined,
    latest: (tableName) => [...runtimes].reverse().find((r) => r.config.tableName === tableName),
    factory: ({ table: { schema, config }, tableDir }) => {
      const calls: string[] = [];
      const table = config.tableName;
      let paused = false;
      let running = false;
      const record = (call: string): void => {
        calls.push(call);
        log.push(`${table}:${call}`);
      };
      const sealed: SegmentSummary = {
        segmentName: sealedSegmentName(table),
        partitionId: 0,
        shardId: 'shardId-000000000000',
        numDocs: 10,
        startOffset: '49590338271490256608559692538361571095921575989136588801',
        endOffset: '49590338271490256608559692538361571095921575989136588810',
        endOfShard: false,
        creationTimeMs: 1_704_067_200_000,
        sizeBytes: 4096,
      };
      // forceCommit marks the consuming segment committed once `commitNow()` is called.
      let committed = false;
      let deleted = false;
      const committedSegment: SegmentSummary = { ...sealed, segmentName: consumingSegmentName(table), creationTimeMs: sealed.creationTimeMs + 1 };
      const runtime: RecordingRuntime = {
        commitNow: () => {
          committed = true;
        },
        schema,
        config,
        tableDir,
        calls,
        get paused() {
          return paused;
        },
        get running() {
          return running;
        },
        async start(options = {}) {
          record('start');
          await recorder.holdStart?.(config, options);
          const failure = recorder.failStart?.(config);
          if (failure !== undefined) throw failure;
          running = true;
        },
        async stop() {
          record('stop');
          running = false;
        },
        async drop() {
          record('drop');
          running = false;
          await rm(tableDir, { recursive: true, force: true });
        },
        segments: () => (committed ? [sealed, committedSegment] : deleted ? [] : [sealed]),
        segmentMetadata: (name) =>
          (name === sealed.segmentName && !deleted) || (committed && name === committedSegment.segmentName)
            ? { 'segment.name': name, 'segment.total.docs': 10, shardId: sealed.shardId, columns: [{ name: 'country', cardinality: 3, maxNumValuesPerDoc: 1, singleValue: true, forwardIndexBytes: 100, dictionaryBytes: 20, invertedIndexBytes: 0 }] }
            : undefined,
        forceCommit() {
          record('forceCommit');
          return committed ? [] : [consumingSegmentName(table)];
        },
        async deleteSegment(name) {
          record(`deleteSegment ${name}`);
          if (name === sealed.segmentName && !deleted) {
            deleted = true;
            return 'deleted';
          }
          return name === consumingSegmentName(table) ? 'consuming' : 'missing';
        },
        async reloadSegments() {
          record('reloadSegments');
          return { reloaded: deleted ? [] : [sealed.segmentName], reindexed: [], failed: [] };
        },
        partitions: (): PartitionStatus[] => [
          partitionStatus(0, {
            state: paused ? 'PAUSED' : 'CONSUMING',
            consumingSegmentName: consumingSegmentName(table),
            rowsInConsumingSegment: 3,
            currentOffset: '49590338271490256608559692538361571095921575989136588813',
            startedFrom: 'AFTER_SEQUENCE_NUMBER 49590338271490256608559692538361571095921575989136588810',
            msBehindLatest: 0,
            recordsConsumed: 13,
            bytesConsumed: 1300,
            lastConsumedTimestampMs: 1_704_070_800_000,
          }),
          partitionStatus(1, { state: 'ENDED' }),
        ],
        async pause() {
          record('pause');
          const failure = recorder.failPause?.(config);
          if (failure !== undefined) throw failure;
          paused = true;
        },
        async resume() {
          record('resume');
          paused = false;
        },
        queryableSegments: () => ({ sealed: [], consuming: [] }),
      };
      runtimes.push(runtime);
      return runtime;
    },
  };
  return recorder;
}

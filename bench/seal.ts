import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDecoder } from '../src/plugins/decoder/registry.js';
import { ConsumingSegment, sealSegment } from '../src/segment/index.js';
import { clickstreamTable, eventRecords } from './event-records.js';
import { fmt, machineInfo, repeat, spread, summarise } from './harness.js';
import type { BenchResult } from './harness.js';

/**
 * Seals a consuming segment of `rows` quickstart events into a file: seconds, bytes on disk
 * against the JSON input, and the p99/max event-loop delay while sealing (what a concurrent HTTP
 * request would wait). The reference is the JSON input itself: the file's size as a share of it.
 */
export async function benchSeal(quick: boolean, overrides: { rows?: number; runs?: number } = {}): Promise<BenchResult> {
  const rows = overrides.rows ?? (quick ? 200_000 : 1_000_000);
  const runs = overrides.runs ?? 5;
  const { schema, config } = clickstreamTable();
  const { messages, bytes } = eventRecords(rows, 7);
  const decoder = createDecoder(config.stream.decoderName, schema, { keyPrefix: `stream.${config.stream.streamType}.`, properties: config.stream.properties });
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-bench-seal-'));
  let sizeBytes = 0;
  let sequence = 0;
  const loopDelays: number[] = [];
  const loopP99s: number[] = [];
  const gcPauses: number[] = [];
  let warmUpBlockMs: number | null = null;
  // Garbage-collection pauses of the main thread, to tell a GC pause from seal work in the delay.
  let gcEntries: PerformanceEntry[] = [];
  const gcObserver = new PerformanceObserver((list) => gcEntries.push(...list.getEntries()));
  gcObserver.observe({ entryTypes: ['gc'] });
  try {
    const seconds = await repeat(runs, async () => {
      const segment = new ConsumingSegment({
        identity: {
          tableName: config.tableName,
          segmentName: `bench__0__${sequence++}__20260101T0000Z`,
          partitionId: 0,
          shardId: 'shardId-000000000000',
        },
        schema,
        indexing: config.indexing,
        ...(config.timeColumnName ? { timeColumnName: config.timeColumnName } : {}),
      });
      for (const message of messages) {
        const result = decoder.decode(message);
        if (result.ok) segment.index(result.row, message.offset.toString(), message.arrivalTimeMs);
      }
      const histogram = monitorEventLoopDelay({ resolution: 10 });
      histogram.enable();
      // The histogram records a delay only from its second timer tick on: a seal that blocked
      // the loop from its first instant went unseen (the 408 ms of earlier runs hid a ~4 s block).
      await sleep(3 * 10);
      gcEntries = [];
      const windowStart = performance.now();
      const start = process.hrtime.bigint();
      const sealed = await sealSegment(segment, { tableDir: dir, endOfShard: false });
      const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
      histogram.disable();
      await sleep(0); // let the observer deliver the window's GC entries
      const gc = Math.max(0, ...gcEntries.filter((e) => e.startTime >= windowStart).map((e) => e.duration));
      // `repeat` runs once to warm up, then the measured runs; the warm-up is reported apart.
      if (warmUpBlockMs === null) warmUpBlockMs = histogram.max / 1e6;
      else {
        loopDelays.push(histogram.max / 1e6);
        loopP99s.push(histogram.percentile(99) / 1e6);
        gcPauses.push(gc);
      }
      sizeBytes = sealed.metadata.sizeBytes;
      return elapsed;
    });
    const result: BenchResult = {
      name: 'seal',
      machine: machineInfo(),
      params: { rows, jsonBytes: bytes, runs, sortedColumn: config.indexing.sortedColumn ?? null, invertedIndexColumns: config.indexing.invertedIndexColumns },
      metrics: {
        sealSeconds: seconds,
        fileBytes: sizeBytes,
        fileToJsonRatio: sizeBytes / bytes,
        maxEventLoopBlockMs: Math.max(...loopDelays),
        eventLoopBlockMs: summarise(loopDelays),
        warmUpEventLoopBlockMs: warmUpBlockMs ?? 0,
        p99EventLoopDelayMs: summarise(loopP99s),
        longestMainThreadGcPauseMs: summarise(gcPauses),
      },
    };
    console.log(
      `seal: ${fmt(rows)} rows in ${spread(seconds, 2)} s; file ${fmt(sizeBytes / 1e6)} MB = ${fmt((100 * sizeBytes) / bytes, 1)} % of ` +
        `${fmt(bytes / 1e6)} MB JSON; event loop blocked up to ${fmt(Math.max(...loopDelays), 0)} ms ` +
        `(warm-up seal ${fmt(warmUpBlockMs ?? 0, 0)} ms; per run ${loopDelays.map((d) => fmt(d, 0)).join('/')}; p99 ${loopP99s.map((d) => fmt(d, 0)).join('/')}; longest main-thread GC ${gcPauses.map((d) => fmt(d, 0)).join('/')} ms)`,
    );
    return result;
  } finally {
    gcObserver.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}

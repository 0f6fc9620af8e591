import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDecoder } from '../src/plugins/decoder/registry.js';
import { ConsumingSegment, sealSegment } from '../src/segment/index.js';
import { clickstreamTable, eventRecords } from './event-records.js';
import { fmt, machineInfo, repeat, spread } from './harness.js';
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
  const decoder = createDecoder(config.stream.decoderName, schema, config.stream.properties);
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-bench-seal-'));
  let sizeBytes = 0;
  let sequence = 0;
  const loopDelays: number[] = [];
  try {
    const seconds = await repeat(runs, async () => {
      const segment = new ConsumingSegment({
        tableName: config.tableName,
        segmentName: `bench__0__${sequence++}__20260101T0000Z`,
        partitionId: 0,
        shardId: 'shardId-000000000000',
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
      const start = process.hrtime.bigint();
      const sealed = await sealSegment(segment, { tableDir: dir, endOfShard: false });
      const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
      histogram.disable();
      loopDelays.push(histogram.max / 1e6);
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
      },
    };
    console.log(
      `seal: ${fmt(rows)} rows in ${spread(seconds, 2)} s; file ${fmt(sizeBytes / 1e6)} MB = ${fmt((100 * sizeBytes) / bytes, 1)} % of ` +
        `${fmt(bytes / 1e6)} MB JSON; event loop blocked up to ${fmt(Math.max(...loopDelays), 0)} ms`,
    );
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

import { ConsumingSegment } from '../src/segment/index.js';
import { createDecoder } from '../src/plugins/decoder/registry.js';
import type { StreamMessage } from '../src/spi/message-batch.js';
import { clickstreamTable, eventRecords } from './event-records.js';
import { fmt, machineInfo, repeat, spread } from './harness.js';
import type { BenchResult } from './harness.js';

/**
 * Baseline: the least any engine must do per record — UTF-8 decode, `JSON.parse`, and append each
 * schema field to a growable typed array (strings through a dictionary). Same bytes as the engine.
 */
function baselineLoop(messages: readonly StreamMessage[], columns: readonly { name: string; numeric: boolean }[]): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const numeric = columns.map(() => new Float64Array(1024));
  const dicts = columns.map(() => new Map<string, number>());
  const ids = columns.map(() => new Int32Array(1024));
  let n = 0;
  for (const message of messages) {
    const row = JSON.parse(decoder.decode(message.value)) as Record<string, unknown>;
    if (n === numeric[0]!.length) {
      for (let c = 0; c < columns.length; c++) {
        const grownNum = new Float64Array(n * 2);
        grownNum.set(numeric[c]!);
        numeric[c] = grownNum;
        const grownIds = new Int32Array(n * 2);
        grownIds.set(ids[c]!);
        ids[c] = grownIds;
      }
    }
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!;
      const value = row[column.name];
      if (column.numeric) {
        numeric[c]![n] = typeof value === 'number' ? value : Number.NEGATIVE_INFINITY;
      } else {
        const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
        const dict = dicts[c]!;
        let id = dict.get(text);
        if (id === undefined) dict.set(text, (id = dict.size));
        ids[c]![n] = id;
      }
    }
    n++;
  }
  return n;
}

export async function benchIngest(quick: boolean, overrides: { records?: number; runs?: number } = {}): Promise<BenchResult> {
  const count = overrides.records ?? (quick ? 50_000 : 200_000);
  const runs = overrides.runs ?? 5;
  const { schema, config } = clickstreamTable();
  const { messages, bytes } = eventRecords(count);
  const columns = schema.columns.map((c) => ({ name: c.name, numeric: c.singleValue && !['STRING', 'JSON', 'BYTES', 'BIG_DECIMAL'].includes(c.dataType) }));

  const timed = (work: () => void): number => {
    const start = process.hrtime.bigint();
    work();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  const baseline = await repeat(runs, () => timed(() => baselineLoop(messages, columns)));
  const engine = await repeat(runs, () =>
    timed(() => {
      const decoder = createDecoder(config.stream.decoderName, schema, { keyPrefix: `stream.${config.stream.streamType}.`, properties: config.stream.properties });
      const segment = new ConsumingSegment({
        identity: {
          tableName: config.tableName,
          segmentName: 'bench__0__0__20260101T0000Z',
          partitionId: 0,
          shardId: 'shardId-000000000000',
        },
        schema,
        indexing: config.indexing,
        ...(config.timeColumnName ? { timeColumnName: config.timeColumnName } : {}),
      });
      for (const message of messages) {
        const result = decoder.decode(message);
        if (!result.ok) throw new Error(result.error);
        segment.index(result.row, message.offset.toString(), message.arrivalTimeMs);
      }
    }),
  );
  const rowsPerSec = (s: number): number => count / s;
  const result: BenchResult = {
    name: 'ingest',
    machine: machineInfo(),
    params: { records: count, bytes, avgRecordBytes: Math.round(bytes / count), columns: schema.columns.length, runs },
    metrics: {
      baselineSeconds: baseline,
      engineSeconds: engine,
      baselineRowsPerSec: rowsPerSec(baseline.median),
      engineRowsPerSec: rowsPerSec(engine.median),
      engineMBPerSec: bytes / 1e6 / engine.median,
      ratioToBaseline: baseline.median / engine.median,
    },
  };
  console.log(
    `ingest: engine ${fmt(count / engine.median)} rows/s (${fmt(bytes / 1e6 / engine.median)} MB/s), ` +
      `baseline ${fmt(count / baseline.median)} rows/s; ratio ${fmt(baseline.median / engine.median)}; ` +
      `seconds engine ${spread(engine, 3)} baseline ${spread(baseline, 3)}`,
  );
  return result;
}

import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, timeMillisField } from '../helpers/emulator-table.js';
import { tableRows, waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(validateSchema({
  schemaName: 'clicks',
  dimensionFieldSpecs: [{ name: 'country', dataType: 'STRING' }],
  metricFieldSpecs: [
    { name: 'clicks', dataType: 'LONG' },
    { name: 'maxLatency', dataType: 'INT' },
    { name: 'minLatency', dataType: 'INT' },
    { name: 'events', dataType: 'LONG' },
  ],
  dateTimeFieldSpecs: [timeMillisField()],
}));

const COUNTRIES = ['NL', 'DE', 'US'];
const MINUTE = 60_000;
const T0 = 1_700_000_000_000;

/** Raw records: 3 countries × 4 minutes, many records each. */
function records(n: number): { country: string; ts: number; clicks: number; latency: number }[] {
  return Array.from({ length: n }, (_, i) => ({ country: COUNTRIES[i % 3]!, ts: T0 + (Math.floor(i / 7) % 4) * MINUTE, clicks: i % 11, latency: (i * 37) % 1000 }));
}

describe('ingest-time rollup on kinesalite', () => {
  const env = withEmulator('kinesalite');
  const tables = withTableRuntimes('shardtable-rollup-');

  it('stores one row per dimension values with SUM, MIN, MAX and COUNT metrics equal to the raw rows', async () => {
    const stream = await env.newStream(2, 'rollup');
    const raw = records(900);
    await putJsonRecords(env.client, stream, raw, (r) => `k${r.clicks}-${r.latency}`);
    const config = {
      ...emulatorTableConfig({ endpoint: env.endpoint, stream, timeColumn: 'ts', streamConfigs: { 'stream.kinesis.fetch.timeout.millis': '2000', 'realtime.segment.flush.threshold.rows': '200' } }),
      ingestionConfig: {
        aggregationConfigs: [
          { columnName: 'clicks', aggregationFunction: 'SUM(clicks)' },
          { columnName: 'maxLatency', aggregationFunction: 'MAX(latency)' },
          { columnName: 'minLatency', aggregationFunction: 'MIN(latency)' },
          { columnName: 'events', aggregationFunction: 'COUNT(*)' },
        ],
      },
    };
    const runtime = await tables.start({ schema, config });
    const total = (): number => tableRows(runtime, ['events']).reduce((n, r) => n + Number(r.events), 0);
    await waitFor('every record counted', () => total() === raw.length, 20_000).catch((err: unknown) => {
      throw new Error(`${String(err)}: ${total()} counted; ${JSON.stringify(runtime.partitions().map((p) => [p.recordsConsumed, p.recordsDropped, p.lastError]))}`);
    });
    // Rolled up in the consuming segments as the records arrived: one row per group already.
    expect(runtime.segments()).toEqual([]);
    for (const c of runtime.queryableSegments().consuming) expect(c.numDocs).toBeLessThanOrEqual(COUNTRIES.length * 4);
    runtime.forceCommit();
    await waitFor('everything sealed', () => runtime.partitions().every((p) => p.rowsInConsumingSegment === 0) && total() === raw.length, 60_000);

    // Each sealed segment holds at most one row per (country, minute).
    for (const s of runtime.segments()) expect(s.numDocs).toBeLessThanOrEqual(COUNTRIES.length * 4);
    expect(runtime.segments().reduce((n, s) => n + s.numDocs, 0)).toBeLessThan(raw.length / 5);

    // Per group, across segments: the same answers as the raw rows.
    const got = new Map<string, { clicks: bigint; max: number; min: number; events: bigint }>();
    for (const r of tableRows(runtime, ['country', 'ts', 'clicks', 'maxLatency', 'minLatency', 'events'])) {
      const key = `${String(r.country)}|${String(r.ts)}`;
      const g = got.get(key) ?? { clicks: 0n, max: -Infinity, min: Infinity, events: 0n };
      got.set(key, { clicks: g.clicks + (r.clicks as bigint), max: Math.max(g.max, r.maxLatency as number), min: Math.min(g.min, r.minLatency as number), events: g.events + (r.events as bigint) });
    }
    const expected = new Map<string, { clicks: bigint; max: number; min: number; events: bigint }>();
    for (const r of raw) {
      const key = `${r.country}|${r.ts}`;
      const g = expected.get(key) ?? { clicks: 0n, max: -Infinity, min: Infinity, events: 0n };
      expected.set(key, { clicks: g.clicks + BigInt(r.clicks), max: Math.max(g.max, r.latency), min: Math.min(g.min, r.latency), events: g.events + 1n });
    }
    expect(new Map([...got].sort())).toEqual(new Map([...expected].sort()));
  }, 180_000);
});

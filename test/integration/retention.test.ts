import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, timeMillisField } from '../helpers/emulator-table.js';
import { idCounts, waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(validateSchema({
  schemaName: 'events',
  dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }],
  dateTimeFieldSpecs: [timeMillisField()],
}));

const DAY = 86_400_000;
const T0 = 1_700_000_000_000;

function tableConfig(endpoint: string, stream: string): Record<string, unknown> {
  const config = emulatorTableConfig({
    endpoint,
    stream,
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.fetch.timeout.millis': '2000',
      'realtime.segment.flush.threshold.rows': '150',
    },
  });
  return { ...config, segmentsConfig: { timeColumnName: 'ts', retentionTimeUnit: 'DAYS', retentionTimeValue: '1' } };
}

/** ids [from, to) with `ts = base + (id - from) * 60 s`, so time grows with the id. */
async function produce(env: { client: Parameters<typeof putJsonRecords>[0] }, stream: string, from: number, to: number, base: number): Promise<void> {
  const rows = Array.from({ length: to - from }, (_, i) => ({ id: from + i, ts: base + i * 60_000 }));
  for (let i = 0; i < rows.length; i += 500) await putJsonRecords(env.client, stream, rows.slice(i, i + 500), (row) => `key-${row.id}`);
}

async function sealEverything(runtime: TableIngestion): Promise<void> {
  runtime.forceCommit();
  await waitFor('consuming segments sealed', () => runtime.partitions().every((p) => p.rowsInConsumingSegment === 0), 60_000);
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

describe('retention on kinesalite (fake clock)', () => {
  const env = withEmulator('kinesalite');
  const tables = withTableRuntimes('shardtable-retention-');

  it('drops exactly the expired segments, keeps the checkpoints: a restart neither re-reads nor skips a record', async () => {
    const stream = await env.newStream(2, 'retention');
    const phase1 = 1200;
    await produce(env, stream, 0, phase1, T0);
    const dir = await tables.tempDir();
    let now = T0; // nothing is older than a day yet
    const clock = (): number => now;
    const runtime = await tables.start({ schema, config: tableConfig(env.endpoint, stream), tableDir: dir, clock });
    await waitFor(`${phase1} ids`, () => idCounts(runtime).size === phase1, 120_000);
    await sealEverything(runtime);
    const sealed = runtime.segments();
    expect(sealed.length).toBeGreaterThanOrEqual(6);

    // Step 1: the clock moves so that the oldest rows are a day and a half old.
    now = T0 + 600 * 60_000 + DAY; // cutoff = ts of id 600
    const cutoff = now - DAY;
    const expired = sealed.filter((s) => s.endTimeMs! < cutoff).map((s) => s.segmentName).sort();
    expect(expired.length).toBeGreaterThan(0);
    expect(expired.length).toBeLessThan(sealed.length);
    await runtime.sealedUpkeep!.runRetention();
    expect(runtime.segments().map((s) => s.segmentName).sort()).toEqual(sealed.map((s) => s.segmentName).filter((n) => !expired.includes(n)).sort());
    for (const name of expired) expect(await exists(join(dir, `${name}.seg`))).toBe(false);
    const status = runtime.status().retention!;
    expect(status).toMatchObject({ retentionMs: DAY, segmentsDropped: expired.length, lastRunAtMs: now });
    expect(status.recent.map((r) => r.segment).sort()).toEqual(expired);
    const keptIds = [...idCounts(runtime).entries()];
    expect(keptIds.every(([, n]) => n === 1)).toBe(true);
    expect(keptIds.every(([id]) => id >= 0n && id < BigInt(phase1))).toBe(true);
    // What went is exactly the rows of the expired segments, and nothing else.
    const droppedRows = sealed.filter((s) => expired.includes(s.segmentName)).reduce((n, s) => n + s.numDocs, 0);
    expect(keptIds.length).toBe(phase1 - droppedRows);
    expect(status.rowsDropped).toBe(droppedRows);

    // Step 2: everything of phase 1 expires — including each shard's newest sealed segment, the
    // one that held its checkpoint.
    now = T0 + 10 * DAY;
    await runtime.sealedUpkeep!.runRetention();
    expect(runtime.segments()).toEqual([]);
    await runtime.stop();
    const ledger = JSON.parse(await readFile(join(dir, 'sealed-ranges', `${sealed[0]!.partitionId}.json`), 'utf8')) as { segments: { deleted?: boolean }[] };
    expect(ledger.segments.every((e) => e.deleted === true)).toBe(true);

    // Restart with new records: none of phase 1 comes back, every phase-2 record arrives once.
    const phase2 = 600;
    await produce(env, stream, phase1, phase1 + phase2, now);
    const restarted = await tables.start({ schema, config: tableConfig(env.endpoint, stream), tableDir: dir, clock });
    await waitFor(`${phase2} new ids`, () => idCounts(restarted).size >= phase2, 120_000);
    await sealEverything(restarted);
    const counts = idCounts(restarted);
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...counts.keys()].filter((id) => id < BigInt(phase1))).toEqual([]); // nothing re-read
    expect(counts.size).toBe(phase2); // nothing skipped
    expect(restarted.status().repairs).toEqual([]); // dropped segments are no gaps
    expect(restarted.status().retention!.segmentsDropped).toBe(0);
  }, 300_000);
});

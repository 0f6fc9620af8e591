import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, timeMillisField } from '../helpers/emulator-table.js';
import { expectExactlyOnce, idCounts, waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(validateSchema({ schemaName: 'events', dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }], dateTimeFieldSpecs: [timeMillisField()] }));

function tableConfig(endpoint: string, stream: string): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream,
    timeColumn: 'ts',
    // Thresholds far away: only a force commit seals.
    streamConfigs: { 'stream.kinesis.fetch.timeout.millis': '1000', 'realtime.segment.flush.threshold.rows': '1000000' },
  });
}

const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: from + i, ts: 1_700_000_000_000 + from + i }));

describe('force commit and segment delete (kinesalite)', () => {
  const env = withEmulator('kinesalite');
  const tables = withTableRuntimes('shardtable-forcecommit-');

  it('forceCommit seals the consuming segments (also while paused); a deleted segment is neither served, repaired nor re-read after a restart', async () => {
    const stream = await env.newStream(2, 'fc');
    await putJsonRecords(env.client, stream, rows(0, 300), (r) => `k${r.id}`);
    const dir = await tables.tempDir();
    const runtime = await tables.start({ schema, config: tableConfig(env.endpoint, stream), tableDir: dir });
    await waitFor('300 ids', () => idCounts(runtime).size === 300);
    expect(runtime.segments()).toEqual([]);

    const asked = runtime.forceCommit();
    expect(asked).toHaveLength(2);
    await waitFor('both segments sealed', () => asked.every((name) => runtime.segmentMetadata(name) !== undefined));
    expectExactlyOnce(runtime, 300);

    await putJsonRecords(env.client, stream, rows(300, 100), (r) => `k${r.id}`);
    await waitFor('400 ids', () => idCounts(runtime).size === 400);
    await runtime.pause();
    const whilePaused = runtime.forceCommit();
    expect(whilePaused.length).toBeGreaterThan(0);
    await waitFor('sealed while paused', () => whilePaused.every((name) => runtime.segmentMetadata(name) !== undefined));
    expect(runtime.forceCommit()).toEqual([]); // nothing left to seal: the new consuming segments are empty
    expectExactlyOnce(runtime, 400);

    const victim = runtime.segments().find((s) => s.segmentName === asked[0])!;
    expect(await runtime.deleteSegment('no-such-segment')).toBe('missing');
    expect(await runtime.deleteSegment(runtime.queryableSegments().consuming[0]!.name)).toBe('consuming');
    expect(await runtime.deleteSegment(victim.segmentName)).toBe('deleted');
    const left = 400 - victim.numDocs;
    expect(idCounts(runtime).size).toBe(left);
    await runtime.stop();

    const again = await tables.start({ schema, config: tableConfig(env.endpoint, stream), tableDir: dir });
    expect(again.status().repairs).toEqual([]);
    expect(again.segments().map((s) => s.segmentName)).not.toContain(victim.segmentName);
    await putJsonRecords(env.client, stream, rows(400, 10), (r) => `k${r.id}`);
    await waitFor('the new rows', () => idCounts(again).size === left + 10);
    expect([...idCounts(again).values()].every((n) => n === 1)).toBe(true);
    const reload = await again.reloadSegments();
    expect(reload).toEqual({ reloaded: again.segments().map((s) => s.segmentName), reindexed: [], failed: [] });
    expect(idCounts(again).size).toBe(left + 10);
  }, 120_000);
});

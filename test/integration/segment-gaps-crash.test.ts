import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { parseLlcSegmentName } from '../../src/segment/index.js';
import { crashFixture, expectEachIdOnce, idRange, sealedIdCounts } from '../helpers/crash-fixture.js';
import { emulatorTableConfig, timeMillisField } from '../helpers/emulator-table.js';
import { waitFor } from '../helpers/table-rows.js';

const TOTAL = 1200;
const STREAM = 'gap-crash';

const schema = { schemaName: 'events', dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }], dateTimeFieldSpecs: [timeMillisField()] };

/**
 * `serve` killed with SIGKILL in the middle of repairing gaps — right after a repair segment's
 * rename (before the ledger knows it), and just before another's rename — then restarted: every
 * id is in exactly one segment file, and no gap is repaired twice.
 */
describe('gap repair across SIGKILL', () => {
  const fx = crashFixture({ streams: { [STREAM]: 2 }, dataDirPrefix: 'shardtable-gap-crash-' });
  /** Ids in the files now; a file being renamed is passed over (the server is running). */
  const sealedIds = (tableDir: string): Promise<Map<bigint, number>> => sealedIdCounts(tableDir, { skipUnreadable: true });

  it('a deleted middle segment is re-read exactly once across kills during its repair', async () => {
    const rows = Array.from({ length: TOTAL }, (_, id) => ({ id, ts: 1_700_000_000_000 + id }));
    await putJsonRecords(fx.client, STREAM, rows, (row) => `key-${row.id}`);
    const tableDir = fx.tableDir('events');

    await fx.start();
    const config = emulatorTableConfig({ endpoint: fx.endpoint, stream: STREAM, timeColumn: 'ts', streamConfigs: { 'realtime.segment.flush.threshold.rows': '100', 'realtime.segment.flush.threshold.time': '1500ms' } });
    await fx.createTables([schema], [config]);
    await waitFor('every id sealed', async () => (await sealedIds(tableDir)).size === TOTAL, 60_000, 250);
    await fx.stop();

    // Delete the second segment of each partition (a middle one: each shard has several), and
    // kill the server right after the first repair segment's rename, before the ledger has it.
    const deleteSequence = async (sequence: number, max: number): Promise<void> => {
      const files = (await readdir(tableDir)).filter((f) => f.endsWith('.seg'));
      const victims = files.filter((f) => parseLlcSegmentName(f.slice(0, -4))?.sequence === sequence).slice(0, max);
      expect(victims.length).toBeGreaterThan(0);
      for (const f of victims) await rm(join(tableDir, f));
    };
    const nothing = async (): Promise<void> => {};
    await deleteSequence(1, 2);
    await fx.crashAtFault('repair:after-publish:1', nothing, 60_000);
    // Then another gap, killed just before its repair segment's rename (the only seal of that run).
    await deleteSequence(3, 1);
    await fx.crashAtFault('seal:before-rename:1', nothing, 60_000);
    const server = await fx.start();
    await waitFor('every id sealed after the repairs', async () => (await sealedIds(tableDir)).size === TOTAL, 60_000, 250);
    const count = await server.request('POST', '/query/sql', { sql: 'SELECT COUNT(*), DISTINCTCOUNT(id) FROM events' });
    expect((count.json as { resultTable: { rows: unknown[][] } }).resultTable.rows[0]).toEqual([TOTAL, TOTAL]);
    await fx.stop();

    expectEachIdOnce(await sealedIdCounts(tableDir), idRange(TOTAL));
  }, 240_000);
});

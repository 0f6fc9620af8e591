import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { emulatorTableConfig } from '../helpers/emulator-table.js';
import { crashFixture, expectEachIdOnce, idRange, sealedIdCounts, waitForSealedRows } from '../helpers/crash-fixture.js';

const TOTAL = 4000;
const STREAM = 'crash-test';

const schema = {
  schemaName: 'crashes',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'note', dataType: 'STRING' },
  ],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
};

function tableConfig(endpoint: string): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream: STREAM,
    tableName: 'crashes',
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.stream.kafka.KafkaJSONMessageDecoder',
      'stream.kinesis.fetch.timeout.millis': '1000',
      'stream.kinesis.shard.discovery.interval.ms': '1000',
      maxRecordsToFetch: '97',
      'realtime.segment.flush.threshold.rows': '173',
      'realtime.segment.flush.threshold.time': '1500ms',
    },
  });
}

/**
 * DESIGN.md section 3, proven end to end: a server process is killed with SIGKILL again and
 * again — at a random moment, just before a seal's rename, just after it — while records with
 * unique ids stream into a 3-shard stream; after a last restart every id is in exactly one
 * sealed segment row.
 */
describe('exactly-once across SIGKILL', () => {
  const fx = crashFixture({ streams: { [STREAM]: 3 }, dataDirPrefix: 'shardtable-crash-' });

  it('finds every produced id exactly once after repeated kills', async () => {
    let produced = 0;
    const produceSome = async (count: number): Promise<void> => {
      const rows = Array.from({ length: Math.min(count, TOTAL - produced) }, (_, i) => ({
        id: produced + i,
        note: `record ${produced + i}`,
        ts: Date.now(),
      }));
      if (rows.length === 0) return;
      await putJsonRecords(fx.client, STREAM, rows, (row) => String(row.id));
      produced += rows.length;
    };

    await fx.start();
    await fx.createTables([schema], [tableConfig(fx.endpoint)]);

    // Runs 1-4 each end in a SIGKILL: at a random moment, or at a fault point inside a seal.
    const crashes: (string | null)[] = [null, 'seal:before-rename:2', 'seal:after-publish:3', null, 'seal:before-rename:1'];
    for (const fault of crashes) {
      await fx.crash(fault, () => produceSome(fault === null ? 500 : 600), { pause: { minMs: 700, spreadMs: 800 }, faultTimeoutMs: 30_000 });
    }

    await produceSome(TOTAL);
    expect(produced).toBe(TOTAL);

    // The last run: everything arrives and the 1.5 s time threshold seals it.
    const sealedRows = await waitForSealedRows(fx.server, 'crashes', TOTAL, 60_000);
    expect(sealedRows, `sealed rows reported over HTTP; log:\n${fx.server.log()}`).toBe(TOTAL);
    await fx.stop();

    const tableDir = fx.tableDir('crashes');
    expectEachIdOnce(await sealedIdCounts(tableDir), idRange(TOTAL));
    expect((await readdir(tableDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 240_000);
});

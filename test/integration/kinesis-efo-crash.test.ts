import { describe, expect, it } from 'vitest';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { crashFixture, expectEachIdOnce, idRange, sealedIdCounts, waitForSealedRows } from '../helpers/crash-fixture.js';
import { emulatorTableConfig, idKindTsRows, idKindTsSchema } from '../helpers/emulator-table.js';

const TOTAL = 900;
const STREAM = 'efo-crash';

/**
 * Enhanced fan-out keeps the exactly-once protocol: a server reading a 2-shard kinesis-local
 * stream through SubscribeToShard is killed with SIGKILL twice while records arrive; after a last
 * restart every id is in exactly one sealed segment row.
 */
describe('enhanced fan-out: exactly once across SIGKILL (kinesis-local)', () => {
  const fx = crashFixture({ emulator: 'kinesis-local', streams: { [STREAM]: 2 }, dataDirPrefix: 'shardtable-efo-crash-' });

  it('finds every produced id exactly once after two kills', async () => {
    let produced = 0;
    const produce = async (count: number): Promise<void> => {
      await putJsonRecords(fx.client, STREAM, idKindTsRows(produced, count), (row) => String(row.id));
      produced += count;
    };
    await fx.start();
    const config = emulatorTableConfig({
      endpoint: fx.endpoint,
      stream: STREAM,
      timeColumn: 'ts',
      streamConfigs: {
        'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder',
        'stream.kinesis.consumer.type': 'efo',
        'realtime.segment.flush.threshold.rows': '67',
        'realtime.segment.flush.threshold.time': '1500ms',
      },
    });
    await fx.createTables([idKindTsSchema('events')], [config]);

    for (let run = 0; run < 2; run++) {
      await fx.crash(null, () => produce(300), { pause: { minMs: 1500, spreadMs: 1500 } });
    }
    await produce(TOTAL - produced);

    const server = fx.server;
    const sealed = await waitForSealedRows(server, 'events', TOTAL, 90_000);
    expect(sealed, `sealed rows; log:\n${server.log()}`).toBe(TOTAL);
    const info = (await server.request('GET', '/tables/events/consumingSegmentsInfo')).json as { shardtablePartitions: { readMode?: string }[] };
    for (const p of info.shardtablePartitions) expect(p.readMode).toMatch(/^enhanced fan-out \(consumer shardtable-events; ACTIVE/);
    await fx.stop();

    expectEachIdOnce(await sealedIdCounts(fx.tableDir('events')), idRange(TOTAL));
  }, 240_000);
});

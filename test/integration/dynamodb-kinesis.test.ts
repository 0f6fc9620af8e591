import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { QueryEngine, snapshotRuntime, writeBrokerResponse } from '../../src/query/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig } from '../helpers/emulator-table.js';
import { waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(
  validateSchema({
    schemaName: 'orders',
    dimensionFieldSpecs: [
      { name: '_id', dataType: 'STRING' },
      { name: 'status', dataType: 'STRING' },
      { name: 'eventName', dataType: 'STRING' },
      { name: '_deleted', dataType: 'BOOLEAN' },
    ],
    metricFieldSpecs: [{ name: 'version', dataType: 'LONG' }],
    dateTimeFieldSpecs: [{ name: 'ApproximateCreationDateTime', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
    primaryKeyColumns: ['_id'],
  }),
);

interface Change {
  readonly key: string;
  readonly event: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly at: number;
  readonly version: number;
}

/** A record as DynamoDB writes a change to its Kinesis streaming destination. */
function record(c: Change): Record<string, unknown> {
  const image = { pk: { S: c.key }, version: { N: String(c.version) }, status: { S: `s${c.version % 4}` } };
  return {
    awsRegion: 'us-east-1',
    eventID: `ev-${c.key}-${c.version}`,
    eventName: c.event,
    userIdentity: null,
    recordFormat: 'application/json',
    tableName: 'Orders',
    dynamodb: { ApproximateCreationDateTime: c.at, Keys: { pk: { S: c.key } }, ...(c.event === 'REMOVE' ? { OldImage: image } : { NewImage: image }), SizeBytes: 60 },
    eventSource: 'aws:dynamodb',
  };
}

/**
 * Changes over `keys` items in time order (creation times 1 ms apart), delivered as Kinesis may:
 * some neighbours of one item swapped (out of order), some delivered twice.
 */
function deliveries(n: number, keys: number): { delivered: Change[]; latest: Map<string, Change> } {
  let seed = 7;
  const next = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const live = new Set<string>();
  const changes: Change[] = [];
  for (let v = 0; v < n; v++) {
    const key = `order-${Math.floor(next() * keys)}`;
    const event = !live.has(key) ? 'INSERT' : next() < 0.2 ? 'REMOVE' : 'MODIFY';
    if (event === 'REMOVE') live.delete(key);
    else live.add(key);
    changes.push({ key, event, at: 1_700_000_000_000 + v, version: v });
  }
  const latest = new Map<string, Change>();
  for (const c of changes) latest.set(c.key, c);
  // Per item: swap neighbouring changes, and deliver some changes again after a later one; the
  // items' changes then go back into the positions that item had (items are independent).
  const byKey = new Map<string, Change[]>();
  for (const c of changes) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  const order = new Map<string, Change[]>();
  for (const [key, list] of byKey) {
    const out = [...list];
    for (let i = 1; i < out.length; i++) if (next() < 0.3) [out[i - 1], out[i]] = [out[i]!, out[i - 1]!];
    for (let i = out.length - 2; i >= 0; i--) if (next() < 0.15) out.splice(i + 2, 0, out[i]!);
    order.set(key, out);
  }
  const delivered: Change[] = [];
  for (const c of changes) delivered.push(order.get(c.key)!.shift()!);
  for (const rest of order.values()) delivered.push(...rest);
  return { delivered, latest };
}

async function query(runtime: TableIngestion, sql: string, options?: string): Promise<unknown[][]> {
  const engine = new QueryEngine({ resolve: () => ({ name: 'orders', schema, snapshot: () => snapshotRuntime(runtime) }) });
  const json = JSON.parse(writeBrokerResponse(await engine.query(sql, options))) as { resultTable?: { rows: unknown[][] }; exceptions: unknown[] };
  expect(json.exceptions).toEqual([]);
  return json.resultTable!.rows;
}

describe('DynamoDB change records on Kinesis (dynamodb-kinesis decoder) on kinesalite', () => {
  const env = withEmulator('kinesalite');
  const tables = withTableRuntimes('shardtable-ddb-kinesis-');

  it('duplicated and reordered changes: one live row per item, the newest by ApproximateCreationDateTime; REMOVE deletes; a bad record is dropped', async () => {
    const stream = await env.newStream(2);
    const { delivered, latest } = deliveries(900, 120);
    // Real disorder: many changes arrive after a newer change of their item, and the newest
    // change of some items is not the last delivered.
    const newest = new Map<string, number>();
    let late = 0;
    for (const c of delivered) {
      if (c.at < (newest.get(c.key) ?? -1)) late++;
      newest.set(c.key, Math.max(c.at, newest.get(c.key) ?? -1));
    }
    expect(late).toBeGreaterThan(50);
    const lastDelivered = new Map(delivered.map((c) => [c.key, c]));
    expect([...latest].filter(([k, c]) => lastDelivered.get(k) !== c).length).toBeGreaterThan(10);
    await putJsonRecords(env.client, stream, delivered.map(record), (r) => ((r.dynamodb as { Keys: { pk: { S: string } } }).Keys.pk.S));
    await env.client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: 'bad', Data: new TextEncoder().encode('{"eventName":"INSERT","dynamodb":{"Keys":{"pk":{"S":"x"}}}}') }));
    const runtime = await tables.start({
      schema,
      config: emulatorTableConfig({
        endpoint: env.endpoint,
        stream,
        tableName: 'orders',
        timeColumn: 'ApproximateCreationDateTime',
        indexing: { nullHandlingEnabled: true },
        streamConfigs: { 'stream.kinesis.decoder.class.name': 'dynamodb-kinesis', 'realtime.segment.flush.threshold.rows': '250' },
        extra: { upsertConfig: { mode: 'FULL', comparisonColumns: ['ApproximateCreationDateTime'], deleteRecordColumn: '_deleted' } },
      }),
    });
    await waitFor('every change indexed', async () => (await query(runtime, 'SELECT COUNT(*) FROM orders', 'skipUpsert=true'))[0]![0] === delivered.length, 60_000, 200);
    const want = [...latest.values()]
      .filter((c) => c.event !== 'REMOVE')
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .map((c) => [c.key, c.version, `s${c.version % 4}`, c.event, c.at]);
    expect(want.length).toBeGreaterThan(20);
    expect(latest.size - want.length).toBeGreaterThan(5); // some items end deleted
    expect(await query(runtime, 'SELECT _id, version, status, eventName, ApproximateCreationDateTime FROM orders ORDER BY _id LIMIT 1000')).toEqual(want);
    const dropped = runtime.partitions().reduce((n, p) => n + p.recordsDropped, 0);
    expect(dropped).toBe(1);
  }, 120_000);
});

import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import type { CellValue } from '../../src/config/data-type.js';
import type { PinotSchema } from '../../src/config/index.js';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import type { EmulatorKind } from '../../src/emulator/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { avroTypeFor, crc64AvroBytes } from '../../src/plugins/decoder/avro/index.js';
import { RecordWriter } from '../../src/plugins/stream/kinesis/kinesis-producer.js';
import type { EmulatorHandle } from '../helpers/emulator.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, timeMillisField } from '../helpers/emulator-table.js';
import { tableRows, waitForWith } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const avroWriterSchema = {
  type: 'record',
  name: 'Order',
  namespace: 'it',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: ['null', 'string'], default: null },
    { name: 'items', type: { type: 'array', items: 'string' } },
    { name: 'attrs', type: { type: 'map', values: 'long' } },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};
const avroType = avroTypeFor(avroWriterSchema);

const orderSchema: PinotSchema = {
  schemaName: 'orders',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'customer', dataType: 'STRING' },
    { name: 'items', dataType: 'STRING', singleValueField: false },
    { name: 'attrs', dataType: 'JSON' },
  ],
  dateTimeFieldSpecs: [timeMillisField()],
};

function tableConfig(endpoint: string, stream: string, timeColumn: string, props: Record<string, string>): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream,
    tableName: 'orders',
    timeColumn,
    streamConfigs: {
      'stream.kinesis.shard.discovery.interval.ms': '500',
      'realtime.segment.flush.threshold.rows': '7',
      ...props,
    },
  });
}

type Row = Record<string, CellValue | null>;

const waitFor = waitForWith({ timeoutMs: 45_000, pollMs: 100 });

function byId(rows: Row[]): Row[] {
  return [...rows].sort((a, b) => (BigInt(a.id as bigint) < BigInt(b.id as bigint) ? -1 : 1));
}

function decodersSuite(kind: EmulatorKind, env: EmulatorHandle, full: boolean): void {
  const tables = withTableRuntimes('shardtable-decoders-');

  const start = (pinotSchema: PinotSchema, stream: string, timeColumn: string, props: Record<string, string>): Promise<TableIngestion> =>
    tables.start({ schema: buildTableSchema(validateSchema(pinotSchema)), config: tableConfig(env.endpoint, stream, timeColumn, props) });

  async function put(stream: string, records: { data: Uint8Array; partitionKey: string }[]): Promise<void> {
    const writer = new RecordWriter(env.client, stream);
    for (const [i, record] of records.entries()) await writer.add(record, `record ${i}`);
    await writer.flush();
  }

  it(`indexes Avro records in plain, Confluent and single-object framing (${kind})`, async () => {
    const stream = await env.newStream(2);
    const fingerprint = crc64AvroBytes(JSON.stringify(avroType.schema()));
    const records = Array.from({ length: 15 }, (_, i) => {
      const body = avroType.toBuffer({ id: 9007199254740993n + BigInt(i), customer: i % 4 === 0 ? null : `c${i}`, items: ['a', `i${i}`], attrs: { n: BigInt(i) }, ts: 1_700_000_000_000n + BigInt(i) });
      const framed =
        i % 3 === 0 ? body : i % 3 === 1 ? Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), body]) : Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprint, body]);
      return { data: new Uint8Array(framed), partitionKey: `k${i}` };
    });
    // One record that is not Avro for this schema: counted, not indexed.
    records.push({ data: new Uint8Array([0xc3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9]), partitionKey: 'bad' });
    await put(stream, records);
    const runtime = await start(orderSchema, stream, 'ts', {
      'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.avro.SimpleAvroMessageDecoder',
      'stream.kinesis.decoder.prop.schema': JSON.stringify(avroWriterSchema),
    });
    const columns = ['id', 'customer', 'items', 'attrs', 'ts'];
    await waitFor('15 Avro rows and 1 dropped record', () => tableRows(runtime, columns).length === 15 && runtime.partitions().reduce((n, p) => n + (p.recordsDropped ?? 0), 0) === 1);
    const rows = byId(tableRows(runtime, columns));
    expect(rows).toEqual(
      Array.from({ length: 15 }, (_, i) => ({
        id: 9007199254740993n + BigInt(i),
        customer: i % 4 === 0 ? 'null' : `c${i}`,
        items: ['a', `i${i}`],
        attrs: `{"n":${i}}`,
        ts: 1_700_000_000_000n + BigInt(i),
      })),
    );
  });

  if (!full) return;

  it('indexes CSV records with a header, delimiter and multi-value delimiter', async () => {
    const stream = await env.newStream(1);
    const lines = Array.from({ length: 10 }, (_, i) => `${1_700_000_000_000 + i}|"Smith|${i}"|${i}|x,y${i}`);
    lines.push('1|too|few'); // wrong column count: dropped
    await put(stream, lines.map((l, i) => ({ data: new TextEncoder().encode(l), partitionKey: `p${i}` })));
    const runtime = await start(orderSchema, stream, 'ts', {
      'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.csv.CSVMessageDecoder',
      'stream.kinesis.decoder.prop.delimiter': '|',
      'stream.kinesis.decoder.prop.header': 'ts,customer,id,items',
      'stream.kinesis.decoder.prop.multiValueDelimiter': ',',
    });
    const columns = ['id', 'customer', 'items', 'ts'];
    await waitFor('10 CSV rows and 1 dropped', () => tableRows(runtime, columns).length === 10 && runtime.partitions()[0]?.recordsDropped === 1);
    expect(byId(tableRows(runtime, columns))).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ id: BigInt(i), customer: `Smith|${i}`, items: ['x', `y${i}`], ts: 1_700_000_000_000n + BigInt(i) })),
    );
  });

  it('indexes raw records into a STRING column and fills the metadata columns', async () => {
    const stream = await env.newStream(2);
    const rawSchema: PinotSchema = {
      schemaName: 'orders',
      dimensionFieldSpecs: [
        { name: 'kinesis_data', dataType: 'STRING' },
        { name: '__key', dataType: 'STRING' },
        { name: '__metadata$sequenceNumber', dataType: 'STRING' },
        { name: '__metadata$shardId', dataType: 'STRING' },
        { name: '__metadata$recordSerializedValueSize', dataType: 'INT' },
      ],
      dateTimeFieldSpecs: [timeMillisField('__metadata$apprxArrivalTimestamp')],
    };
    const beforeMs = Date.now();
    const sent = new Map<string, { data: string; sequenceNumber: string; shardId: string }>();
    for (let i = 0; i < 12; i++) {
      const data = i === 11 ? 'x'.repeat(1000 * 1000) : `raw line ${i} — ünïcode`;
      const key = `key-${i}`;
      const out = await env.client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: key, Data: new TextEncoder().encode(data) }));
      sent.set(key, { data, sequenceNumber: out.SequenceNumber!, shardId: out.ShardId! });
    }
    const afterMs = Date.now();
    const runtime = await start(rawSchema, stream, '__metadata$apprxArrivalTimestamp', {
      'stream.kinesis.decoder.class.name': 'raw',
      'stream.kinesis.metadata.populate': 'true',
      'realtime.segment.flush.threshold.rows': '3',
    });
    const columns = ['kinesis_data', '__key', '__metadata$sequenceNumber', '__metadata$shardId', '__metadata$recordSerializedValueSize', '__metadata$apprxArrivalTimestamp'];
    await waitFor('12 raw rows', () => tableRows(runtime, columns).length === 12);
    const rows = tableRows(runtime, columns);
    expect(new Set(rows.map((r) => r.__key))).toEqual(new Set(sent.keys()));
    expect(new Set(rows.map((r) => r['__metadata$shardId'])).size).toBeGreaterThanOrEqual(1);
    for (const row of rows) {
      const expected = sent.get(row.__key as string)!;
      expect(row.kinesis_data).toBe(expected.data);
      expect(row['__metadata$sequenceNumber']).toBe(expected.sequenceNumber);
      expect(row['__metadata$shardId']).toBe(expected.shardId);
      expect(row['__metadata$recordSerializedValueSize']).toBe(Buffer.byteLength(expected.data));
      const arrival = Number(row['__metadata$apprxArrivalTimestamp'] as bigint);
      // Emulator clocks round to seconds; allow that much either side of the put calls.
      expect(arrival).toBeGreaterThanOrEqual(Math.floor(beforeMs / 1000) * 1000 - 1000);
      expect(arrival).toBeLessThanOrEqual(afterMs + 1000);
    }
    // Each sealed segment's rows carry its shard id and sequence numbers inside its offset range.
    const { sealed } = runtime.queryableSegments();
    expect(sealed.length).toBeGreaterThan(0);
    for (const segment of sealed) {
      const { shardId, startOffset, endOffset } = segment.metadata;
      for (let doc = 0; doc < segment.numDocs; doc++) {
        expect(segment.getValue('__metadata$shardId', doc)).toBe(shardId);
        const seq = BigInt(segment.getValue('__metadata$sequenceNumber', doc) as string);
        expect(seq >= BigInt(String(startOffset).split(':')[0]!) && seq <= BigInt(String(endOffset).split(':')[0]!)).toBe(true);
      }
    }
  });
}

describe('decoders on kinesalite', () => {
  const env = withEmulator('kinesalite');
  decodersSuite('kinesalite', env, true);
});

describe('decoders on kinesis-local', () => {
  const env = withEmulator('kinesis-local');
  decodersSuite('kinesis-local', env, false);
});

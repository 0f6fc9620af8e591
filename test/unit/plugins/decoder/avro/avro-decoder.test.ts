import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PinotFieldSpec } from '../../../../../src/config/schema.js';
import { buildTableSchema } from '../../../../../src/config/schema.js';
import { ShardtableError } from '../../../../../src/errors.js';
import { avroTypeFor, createAvroDecoder, crc64Avro, crc64AvroBytes } from '../../../../../src/plugins/decoder/avro/index.js';
import { createDecoder } from '../../../../../src/plugins/decoder/registry.js';
import type { DecodeResult, DecodedRow } from '../../../../../src/spi/decoder.js';
import type { StreamMessage } from '../../../../../src/spi/message-batch.js';
import { kinesisSettings } from '../../../../helpers/decoder-settings.js';

const offset = { compareTo: () => 0, toString: () => '1' };

function message(bytes: Uint8Array): StreamMessage {
  return { key: 'k', value: bytes, offset, arrivalTimeMs: 0, serializedSize: bytes.length };
}

function row(result: DecodeResult): DecodedRow {
  if (!result.ok) throw new Error(`expected a row, got error: ${result.error}`);
  return result.row;
}

function error(result: DecodeResult): string {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`);
  return result.error;
}

const writerSchema = {
  type: 'record',
  name: 'Event',
  namespace: 'test',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'count', type: 'int' },
    { name: 'price', type: 'double' },
    { name: 'ratio', type: 'float' },
    { name: 'ok', type: 'boolean' },
    { name: 'name', type: ['null', 'string'], default: null },
    { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] } },
    { name: 'blob', type: 'bytes' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'scores', type: { type: 'array', items: ['null', 'long'] } },
    { name: 'attrs', type: { type: 'map', values: 'long' } },
    { name: 'address', type: ['null', { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }, { name: 'zip', type: 'long' }] }], default: null },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};
const writerType = avroTypeFor(writerSchema);
const inline = { 'stream.kinesis.decoder.prop.schema': JSON.stringify(writerSchema) };

const fields: PinotFieldSpec[] = [
  { name: 'id', dataType: 'LONG' },
  { name: 'count', dataType: 'INT' },
  { name: 'price', dataType: 'DOUBLE' },
  { name: 'ratio', dataType: 'FLOAT' },
  { name: 'ok', dataType: 'BOOLEAN' },
  { name: 'name', dataType: 'STRING' },
  { name: 'color', dataType: 'STRING' },
  { name: 'blob', dataType: 'BYTES' },
  { name: 'tags', dataType: 'STRING', singleValueField: false },
  { name: 'scores', dataType: 'LONG', singleValueField: false },
  { name: 'attrs', dataType: 'JSON' },
  { name: 'address', dataType: 'STRING' },
  { name: 'missing', dataType: 'INT' },
];
const schema = buildTableSchema({
  schemaName: 'events',
  dimensionFieldSpecs: fields,
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
});

const record = {
  id: 9223372036854775807n,
  count: -7,
  price: 12.5,
  ratio: 0.25,
  ok: true,
  name: 'ann',
  color: 'GREEN',
  blob: Buffer.from([1, 2, 255]),
  tags: ['a', 'b'],
  scores: [1n, null, -9007199254740993n],
  attrs: { x: 12345678901234567n },
  address: { city: 'Oslo', zip: 150n },
  ts: 1_700_000_000_123n,
};
const plain = new Uint8Array(writerType.toBuffer(record));
const expectedRow = [
  9223372036854775807n,
  -7,
  12.5,
  0.25,
  1,
  'ann',
  'GREEN',
  new Uint8Array([1, 2, 255]),
  ['a', 'b'],
  [1n, -9007199254740993n],
  '{"x":12345678901234567}',
  '{"city":"Oslo","zip":150}',
  null,
  1_700_000_000_123n,
];

function confluent(payload: Uint8Array, schemaId = 42): Uint8Array {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return new Uint8Array(Buffer.concat([header, payload]));
}

function singleObject(payload: Uint8Array, fingerprint: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprint, payload]));
}

const canonical = JSON.stringify(writerType.schema());

describe('avro decoder: values', () => {
  const decoder = createAvroDecoder(schema, kinesisSettings(inline));

  it('decodes a plain Avro binary record into the row, coercing every type', () => {
    expect(row(decoder.decode(message(plain)))).toEqual(expectedRow);
  });

  it('keeps longs exact beyond 2^53 and timestamp-millis as epoch millis', () => {
    const cells = row(decoder.decode(message(plain)));
    expect(cells[0]).toBe(9223372036854775807n);
    expect(cells[13]).toBe(1_700_000_000_123n);
  });

  it('null union branches and empty arrays give null cells', () => {
    const bytes = writerType.toBuffer({ ...record, name: null, address: null, tags: [], scores: [null] });
    const cells = row(decoder.decode(message(new Uint8Array(bytes))));
    expect(cells[5]).toBeNull();
    expect(cells[11]).toBeNull();
    expect(cells[8]).toBeNull();
    expect(cells[9]).toBeNull();
  });

  it('does not share memory with the record for BYTES cells', () => {
    const bytes = new Uint8Array(plain);
    const blob = row(decoder.decode(message(bytes)))[7] as Uint8Array;
    bytes.fill(0);
    expect([...blob]).toEqual([1, 2, 255]);
  });

  it('takes the schema from a file under schemas/ or an absolute path', async () => {
    const orderSchema = buildTableSchema({
      schemaName: 'orders',
      dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'items', dataType: 'STRING', singleValueField: false }, { name: 'attributes', dataType: 'JSON' }],
      dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
    });
    const fromRepo = createAvroDecoder(orderSchema, kinesisSettings({ 'stream.kinesis.decoder.prop.schema.file': 'avro/order-event.avsc' }));
    const orderType = avroTypeFor(JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(process.cwd(), 'schemas/avro/order-event.avsc'), 'utf8'))) as unknown);
    const bytes = new Uint8Array(orderType.toBuffer({ id: 5n, customer: null, amount: 1.5, items: ['x'], attributes: { k: 'v' }, ts: 1000n }));
    expect(row(fromRepo.decode(message(bytes)))).toEqual([5n, ['x'], '{"k":"v"}', 1000n]);
    const absolute = createAvroDecoder(orderSchema, kinesisSettings({ 'stream.kinesis.decoder.prop.schema.file': join(process.cwd(), 'schemas/avro/order-event.avsc') }));
    expect(row(absolute.decode(message(bytes)))).toEqual([5n, ['x'], '{"k":"v"}', 1000n]);
  });
});

describe('avro decoder: framing', () => {
  const decoder = createAvroDecoder(schema, kinesisSettings(inline));

  it('detects the Confluent wire format (magic 0 + schema id) and uses the configured writer schema', () => {
    expect(row(decoder.decode(message(confluent(plain))))).toEqual(expectedRow);
  });

  it('detects single-object encoding and checks the CRC-64-AVRO fingerprint', () => {
    expect(row(decoder.decode(message(singleObject(plain, crc64AvroBytes(canonical)))))).toEqual(expectedRow);
  });

  it('rejects a single-object record written with another schema, naming both fingerprints', () => {
    const other = crc64AvroBytes('"string"');
    const message_ = error(decoder.decode(message(singleObject(plain, other))));
    expect(message_).toContain('Avro single-object fingerprint');
    expect(message_).toContain(Buffer.from(other).toString('hex'));
    expect(message_).toContain('does not match the writer schema');
  });

  it('plain records that start with byte 0 still decode as plain Avro', () => {
    const type = avroTypeFor({ type: 'record', name: 'Z', fields: [{ name: 'count', type: 'int' }, { name: 'name', type: 'string' }] });
    const small = buildTableSchema({ schemaName: 'z', dimensionFieldSpecs: [{ name: 'count', dataType: 'INT' }, { name: 'name', dataType: 'STRING' }] });
    const d = createAvroDecoder(small, kinesisSettings({ 'stream.kinesis.decoder.prop.schema': JSON.stringify(type.schema()) }));
    const bytes = new Uint8Array(type.toBuffer({ count: 0, name: 'abcdefgh' }));
    expect(bytes[0]).toBe(0);
    expect(row(d.decode(message(bytes)))).toEqual([0, 'abcdefgh']);
    expect(row(d.decode(message(confluent(bytes, 7))))).toEqual([0, 'abcdefgh']);
  });

  it('reports a Confluent frame that is too short', () => {
    const fixed = createAvroDecoder(schema, kinesisSettings({ ...inline, 'stream.kinesis.decoder.prop.framing': 'confluent' }));
    expect(error(fixed.decode(message(new Uint8Array([0, 0, 1]))))).toBe(
      'Confluent frame too short: 3 bytes, the header alone (magic byte 0 + 4-byte schema id) is 5',
    );
    expect(error(decoder.decode(message(new Uint8Array([0, 0, 1]))))).toContain('a Confluent frame needs at least 5 header bytes and the record has 3');
  });

  it('reports a single-object header that is too short and a Confluent frame with the wrong magic byte', () => {
    expect(error(decoder.decode(message(new Uint8Array([0xc3, 0x01, 1, 2]))))).toContain('Avro single-object header too short: 4 bytes');
    const fixed = createAvroDecoder(schema, kinesisSettings({ ...inline, 'stream.kinesis.decoder.prop.framing': 'confluent' }));
    expect(error(fixed.decode(message(plain.slice(0))))).toMatch(/Confluent frame: magic byte is \d+, expected 0/);
  });

  it('CRC-64-AVRO matches the Avro specification test vector', () => {
    expect(crc64Avro('"null"')).toBe(7195948357588979594n);
  });
});

describe('avro decoder: bad records', () => {
  const decoder = createAvroDecoder(schema, kinesisSettings(inline));

  it('names the field where truncated data ends', () => {
    const truncated = plain.slice(0, 12);
    const e = error(decoder.decode(message(truncated)));
    expect(e).toMatch(/^Avro record is truncated: the data \(12 bytes\) ends inside field "\w+", which starts at byte \d+$/);
  });

  it('an empty record is truncated at the first field', () => {
    expect(error(decoder.decode(message(new Uint8Array(0))))).toBe('Avro record is truncated: the data (0 bytes) ends inside field "id", which starts at byte 0');
  });

  it('reports bytes left over when the record was written with a longer schema', () => {
    const longer = new Uint8Array(Buffer.concat([plain, Buffer.from([2, 4, 6])]));
    expect(error(decoder.decode(message(longer)))).toBe('Avro record: 3 bytes left over after the last field "ts" (written with another schema?)');
  });

  it('reports a record written with another schema', () => {
    const other = avroTypeFor({ type: 'record', name: 'O', fields: [{ name: 's', type: 'string' }] });
    const e = error(decoder.decode(message(new Uint8Array(other.toBuffer({ s: 'hello world, this is not an event' })))));
    expect(e).toMatch(/^Avro record/);
  });

  it('reports values that do not coerce, naming the column', () => {
    const t = avroTypeFor({ type: 'record', name: 'C', fields: [{ name: 'n', type: 'string' }, { name: 'big', type: 'long' }, { name: 'r', type: { type: 'record', name: 'R', fields: [] } }] });
    const s = buildTableSchema({ schemaName: 'c', dimensionFieldSpecs: [{ name: 'n', dataType: 'INT' }, { name: 'big', dataType: 'INT' }, { name: 'r', dataType: 'DOUBLE' }] });
    const d = createAvroDecoder(s, kinesisSettings({ 'stream.kinesis.decoder.prop.schema': JSON.stringify(t.schema()) }));
    expect(error(d.decode(message(new Uint8Array(t.toBuffer({ n: 'abc', big: 1n, r: {} })))))).toBe('field "n": "abc" is not an INT');
    expect(error(d.decode(message(new Uint8Array(t.toBuffer({ n: '12', big: 1n << 40n, r: {} })))))).toBe('field "big": 1099511627776 is out of range for INT');
    expect(error(d.decode(message(new Uint8Array(t.toBuffer({ n: '12', big: 1n, r: {} })))))).toBe(
      'field "r": an Avro record or map cannot be stored in a DOUBLE column (use a JSON or STRING column)',
    );
  });

  it('reports an array of several values in a single-value column', () => {
    const t = avroTypeFor({ type: 'record', name: 'A', fields: [{ name: 'a', type: { type: 'array', items: 'int' } }] });
    const s = buildTableSchema({ schemaName: 'a', dimensionFieldSpecs: [{ name: 'a', dataType: 'INT' }] });
    const d = createAvroDecoder(s, kinesisSettings({ 'stream.kinesis.decoder.prop.schema': JSON.stringify(t.schema()) }));
    expect(row(d.decode(message(new Uint8Array(t.toBuffer({ a: [4] })))))).toEqual([4]);
    expect(error(d.decode(message(new Uint8Array(t.toBuffer({ a: [4, 5] })))))).toBe('field "a": an array of 2 values cannot be stored in a single-value column');
  });

  it('decodes a 1 MB record', () => {
    const big = 'x'.repeat(1024 * 1024);
    const bytes = new Uint8Array(writerType.toBuffer({ ...record, name: big }));
    expect(bytes.length).toBeGreaterThan(1024 * 1024);
    expect(row(decoder.decode(message(bytes)))[5]).toBe(big);
  });

  it('never throws on random bytes', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let n = 0; n < 500; n++) {
      const bytes = Uint8Array.from({ length: Math.floor(random() * 60) }, () => Math.floor(random() * 256));
      const result = decoder.decode(message(bytes));
      if (!result.ok) expect(result.error.length).toBeGreaterThan(0);
    }
  });
});

describe('avro decoder: config', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  function configError(properties: Record<string, string>): string {
    try {
      createDecoder('org.apache.pinot.plugin.inputformat.avro.SimpleAvroMessageDecoder', schema, kinesisSettings(properties));
    } catch (e) {
      expect(e).toBeInstanceOf(ShardtableError);
      expect((e as ShardtableError).status).toBe(400);
      return (e as ShardtableError).message;
    }
    throw new Error('expected a config error');
  }

  it('requires a writer schema', () => {
    expect(configError({})).toContain('stream.kinesis.decoder.prop.schema: the Avro decoder needs the writer schema');
  });

  it('refuses schema JSON that does not parse, naming the key', () => {
    expect(configError({ 'stream.kinesis.decoder.prop.schema': '{"type": "record", ' })).toContain('stream.kinesis.decoder.prop.schema: the Avro schema is not valid JSON');
  });

  it('refuses an invalid Avro schema and a schema that is not a record', () => {
    expect(configError({ 'stream.kinesis.decoder.prop.schema': '{"type": "recrod", "name": "x"}' })).toContain('stream.kinesis.decoder.prop.schema: invalid Avro schema');
    expect(configError({ 'stream.kinesis.decoder.prop.schema': '"string"' })).toContain('the Avro writer schema must be a record');
  });

  it('refuses an unreadable schema file, naming the key and the resolved path', () => {
    const e = configError({ 'stream.kinesis.decoder.prop.schema.file': 'avro/nope.avsc' });
    expect(e).toContain('stream.kinesis.decoder.prop.schema.file: cannot read Avro schema file');
    expect(e).toContain(join('schemas', 'avro', 'nope.avsc'));
    expect(e).toContain('ENOENT');
  });

  it('refuses a schema file that is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shardtable-avsc-'));
    dirs.push(dir);
    await writeFile(join(dir, 'bad.avsc'), 'not json');
    expect(configError({ 'stream.kinesis.decoder.prop.schema.file': join(dir, 'bad.avsc') })).toContain('stream.kinesis.decoder.prop.schema.file: the Avro schema in');
  });

  it('refuses both an inline schema and a file, and an unknown framing', () => {
    expect(configError({ ...inline, 'stream.kinesis.decoder.prop.schema.file': 'x.avsc' })).toContain('not both');
    expect(configError({ ...inline, 'stream.kinesis.decoder.prop.framing': 'kafka' })).toContain('stream.kinesis.decoder.prop.framing: "kafka" is not a framing');
  });
});

import { mkdtemp, readFile, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema, validateTableConfig } from '../../../../src/config/index.js';
import { DeadLetterFile, readDeadLetters } from '../../../../src/ingest/dead-letter.js';
import { createRecordPipeline } from '../../../../src/ingest/record-pipeline.js';
import { ComplexTypeFlattener, compileSourceExpression } from '../../../../src/ingest/transform/index.js';
import { createDecoder } from '../../../../src/plugins/decoder/registry.js';
import type { StreamMessage } from '../../../../src/spi/message-batch.js';
import { kinesisSettings } from '../../../helpers/decoder-settings.js';

const schema = buildTableSchema(
  validateSchema({
    schemaName: 'ev',
    dimensionFieldSpecs: [
      { name: 'id', dataType: 'INT' },
      { name: 'name', dataType: 'STRING' },
      { name: 'upperName', dataType: 'STRING' },
      { name: 'total', dataType: 'DOUBLE' },
      { name: 'city', dataType: 'STRING' },
      { name: 'visits', dataType: 'LONG' },
      { name: 'tags', dataType: 'STRING', singleValueField: false },
      { name: 'items.sku', dataType: 'STRING' },
      { name: 'items.qty', dataType: 'INT' },
      { name: 'user.name', dataType: 'STRING' },
      { name: 'payload', dataType: 'JSON' },
    ],
    dateTimeFieldSpecs: [
      { name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' },
      { name: 'secs', dataType: 'LONG', format: '1:SECONDS:EPOCH', granularity: '1:SECONDS' },
    ],
  }),
);

function tableConfig(ingestionConfig: Record<string, unknown>, streamExtra: Record<string, string> = {}): Record<string, unknown> {
  return {
    tableName: 'ev',
    tableIndexConfig: { streamConfigs: { streamType: 'kinesis', 'stream.kinesis.topic.name': 's', ...streamExtra } },
    ingestionConfig,
  };
}

function message(value: string | Uint8Array, seq = '1'): StreamMessage {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  return { key: 'k', value: bytes, offset: { toString: () => seq } as never, arrivalTimeMs: 0, serializedSize: bytes.length } as StreamMessage;
}

function pipelineFor(ingestionConfig: Record<string, unknown>) {
  const config = validateTableConfig(tableConfig(ingestionConfig), schema);
  return createRecordPipeline(schema, config, createDecoder('json', schema, kinesisSettings(config.stream.properties)));
}

const col = (name: string): number => schema.columnIndex.get(name)!;

describe('ingestion expressions (query engine code bound to source fields)', () => {
  it('arithmetic over source fields not in the schema', () => {
    expect(compileSourceExpression('price * qty + 1', schema).evaluate({ price: 2.5, qty: 4 })).toBe(11);
  });
  it('string functions', () => {
    expect(compileSourceExpression("upper(concat(first, last, '-'))", schema).evaluate({ first: 'ada', last: 'l' })).toBe('ADA-L');
  });
  it('jsonPathString / jsonPathLong / jsonPathArray on a nested object field', () => {
    const rec = { payload: { user: { name: 'x', n: 12345678901234 }, list: [1, { a: 2 }] } };
    expect(compileSourceExpression("jsonPathString(payload, '$.user.name')", schema).evaluate(rec)).toBe('x');
    expect(compileSourceExpression("jsonPathLong(payload, '$.user.n')", schema).evaluate(rec)).toBe(12345678901234n);
    expect(compileSourceExpression("jsonPathLong(payload, '$.missing')", schema).evaluate(rec)).toBe(-9223372036854775808n);
    expect(compileSourceExpression("jsonPathArray(payload, '$.list')", schema).evaluate(rec)).toEqual(['1', '{"a":2}']);
  });
  it('time functions: fromEpochDays, toEpochSeconds, fromDateTime, toDateTime', () => {
    expect(compileSourceExpression('fromEpochDays(DaysSinceEpoch)', schema).evaluate({ DaysSinceEpoch: 16071 })).toBe(16071n * 86_400_000n);
    expect(compileSourceExpression('toEpochSeconds(ms)', schema).evaluate({ ms: 1_700_000_000_123 })).toBe(1_700_000_000n);
    expect(compileSourceExpression("fromDateTime(created_at, 'yyyy-MM-dd''T''HH:mm:ssZ')", schema).evaluate({ created_at: '2021-07-21T06:00:00Z' })).toBe(
      BigInt(Date.parse('2021-07-21T06:00:00Z')),
    );
    expect(compileSourceExpression("toDateTime(ms, 'yyyy-MM-dd')", schema).evaluate({ ms: 86_400_000 })).toBe('1970-01-02');
  });
  it('a bad expression throws the parser or binder message', () => {
    expect(() => compileSourceExpression('a +', schema)).toThrow();
    expect(() => compileSourceExpression('nosuchfn(a)', schema)).toThrow(/nosuchfn/);
  });
});

describe('table config: transforms, filter, policy', () => {
  it('Groovy is a 400 naming the transform', () => {
    let error: unknown;
    try {
      validateTableConfig(tableConfig({ transformConfigs: [{ columnName: 'name', transformFunction: 'Groovy({x}, x)' }] }), schema);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ status: 400, errorName: 'INVALID_TABLE_CONFIG' });
    expect(() => validateTableConfig(tableConfig({ filterConfig: { filterFunction: 'a >' } }), schema)).toThrow(/ingestionConfig\.filterConfig\.filterFunction/);
    expect(() => validateTableConfig(tableConfig({ transformConfigs: [{ columnName: 'name', transformFunction: "Groovy({name + 'x'}, name)" }] }), schema)).toThrow(
      /ingestionConfig\.transformConfigs\[0\]\.transformFunction.*Groovy/s,
    );
  });
  it('error policy from the stream key, ingestionConfig.errorPolicy or continueOnError', () => {
    expect(validateTableConfig(tableConfig({}), schema).ingestion?.errorPolicy).toBe('skip');
    expect(validateTableConfig(tableConfig({}, { 'stream.kinesis.decoder.errorPolicy': 'deadLetter' }), schema).ingestion?.errorPolicy).toBe('deadLetter');
    expect(validateTableConfig(tableConfig({ errorPolicy: 'fail' }), schema).ingestion?.errorPolicy).toBe('fail');
    expect(validateTableConfig(tableConfig({ continueOnError: false }), schema).ingestion?.errorPolicy).toBe('fail');
    expect(() => validateTableConfig(tableConfig({ errorPolicy: 'maybe' }), schema)).toThrow(/errorPolicy: must be skip, fail or deadLetter/);
    expect(() => validateTableConfig(tableConfig({ continueOnError: true }, { 'stream.kinesis.decoder.errorPolicy': 'fail' }), schema)).toThrow(/disagree/);
  });
});

describe('record pipeline', () => {
  it('transforms fill destination columns, coerced into the schema types', () => {
    const p = pipelineFor({
      transformConfigs: [
        { columnName: 'upperName', transformFunction: 'upper(name)' },
        { columnName: 'total', transformFunction: 'price * qty' },
        { columnName: 'ts', transformFunction: 'fromEpochDays(days)' },
        { columnName: 'city', transformFunction: "jsonPathString(address, '$.city')" },
      ],
    });
    const out = p.process(message('{"id":"7","name":"ann","price":2,"qty":3,"days":1,"address":{"city":"Oslo"}}'));
    expect(out.ok).toBe(true);
    const row = (out as unknown as { rows: unknown[][] }).rows[0]!;
    expect(row[col('id')]).toBe(7);
    expect(row[col('upperName')]).toBe('ANN');
    expect(row[col('total')]).toBe(6);
    expect(row[col('ts')]).toBe(86_400_000n);
    expect(row[col('city')]).toBe('Oslo');
  });
  it('a transform does not overwrite a value the record carries; a missing source field gives null', () => {
    const p = pipelineFor({ transformConfigs: [{ columnName: 'upperName', transformFunction: 'upper(name)' }] });
    const out = p.process(message('{"upperName":"given"}')) as unknown as { rows: unknown[][] };
    expect(out.rows[0]![col('upperName')]).toBe('given');
    const missing = p.process(message('{"id":1}')) as unknown as { rows: unknown[][] };
    expect(missing.rows[0]![col('upperName')]).toBeNull();
  });
  it('filterFunction drops rows for which it is true', () => {
    const p = pipelineFor({ filterConfig: { filterFunction: "kind = 'bot' OR amount > 100" } });
    expect(p.process(message('{"id":1,"kind":"bot","amount":1}'))).toEqual({ ok: true, rows: [] });
    expect(p.process(message('{"id":2,"kind":"user","amount":101}'))).toEqual({ ok: true, rows: [] });
    expect((p.process(message('{"id":3,"kind":"user","amount":5}')) as unknown as { rows: unknown[] }).rows).toHaveLength(1);
  });
  it('bad records come back as errors, never thrown', () => {
    const p = pipelineFor({ transformConfigs: [{ columnName: 'upperName', transformFunction: 'upper(name)' }] });
    const cases: [string | Uint8Array, RegExp][] = [
      ['{"id": 1,', /not valid JSON/],
      ['{"id": "abc"}', /"id".*not an INT/],
      [new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), /UTF-8/],
      ['['.repeat(5000) + ']'.repeat(5000), /deeper/],
      ['[1,2]', /not a JSON object/],
    ];
    for (const [input, error] of cases) {
      const out = p.process(message(input));
      expect(out.ok, String(input).slice(0, 20)).toBe(false);
      expect((out as { error: string }).error).toMatch(error);
    }
    // 1 MB record: decodes when well-formed.
    const big = JSON.stringify({ id: 1, name: 'x'.repeat(1_000_000) });
    expect((p.process(message(big)) as unknown as { rows: unknown[][] }).rows[0]![col('upperName')]).toBe('X'.repeat(1_000_000));
  });
});

describe('bad records of other formats', () => {
  it('truncated Avro is an error the policy handles, a whole record decodes', () => {
    const avsc = { type: 'record', name: 'r', fields: [{ name: 'id', type: 'int' }, { name: 'name', type: 'string' }] };
    const config = validateTableConfig(
      tableConfig({}, { 'stream.kinesis.decoder.class.name': 'avro', 'stream.kinesis.decoder.prop.schema': JSON.stringify(avsc) }),
      schema,
    );
    const p = createRecordPipeline(schema, config, createDecoder('avro', schema, kinesisSettings(config.stream.properties)));
    const bytes = new Uint8Array(avro.Type.forSchema(avsc as avro.Schema).toBuffer({ id: 4, name: 'abcdef' }));
    const whole = p.process(message(bytes));
    expect(whole.ok).toBe(true);
    expect((whole as unknown as { rows: unknown[][] }).rows[0]![col('id')]).toBe(4);
    const truncated = p.process(message(bytes.subarray(0, bytes.length - 3)));
    expect(truncated.ok).toBe(false);
  });
});

describe('complex types', () => {
  const settings = { fieldsToUnnest: ['items'], delimiter: '.', collectionNotUnnestedToJson: 'NON_PRIMITIVE' as const };
  it('flattens objects, unnests arrays into rows, keeps JSON columns whole, stores other collections as JSON', () => {
    const f = new ComplexTypeFlattener(settings, new Set(['payload']));
    const rows = f.apply({ id: 1, user: { name: 'u' }, payload: { a: { b: 1 } }, tags: ['x', 'y'], objs: [{ q: 1 }], items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }] });
    expect(rows).toEqual([
      { id: 1, 'user.name': 'u', payload: { a: { b: 1 } }, 'payload.a.b': 1, tags: ['x', 'y'], objs: '[{"q":1}]', 'items.sku': 'a', 'items.qty': 1 },
      { id: 1, 'user.name': 'u', payload: { a: { b: 1 } }, 'payload.a.b': 1, tags: ['x', 'y'], objs: '[{"q":1}]', 'items.sku': 'b', 'items.qty': 2 },
    ]);
    expect(f.apply({ id: 2, items: [] })).toEqual([{ id: 2 }]);
    expect(f.apply({ id: 3 })).toEqual([{ id: 3 }]);
  });
  it('custom delimiter and ALL', () => {
    const f = new ComplexTypeFlattener({ fieldsToUnnest: [], delimiter: '_', collectionNotUnnestedToJson: 'ALL' }, new Set());
    expect(f.apply({ a: { b: 1 }, t: ['x'] })).toEqual([{ a_b: 1, t: '["x"]' }]);
  });
  it('the pipeline produces one row per element', () => {
    const p = pipelineFor({ complexTypeConfig: { fieldsToUnnest: ['items'] } });
    const out = p.process(message('{"id":1,"user":{"name":"u"},"payload":{"k":[1,2]},"items":[{"sku":"a","qty":1},{"sku":"b","qty":2}]}')) as unknown as { rows: unknown[][] };
    expect(out.rows.map((r) => [r[col('id')], r[col('user.name')], r[col('items.sku')], r[col('items.qty')], r[col('payload')]])).toEqual([
      [1, 'u', 'a', 1, '{"k":[1,2]}'],
      [1, 'u', 'b', 2, '{"k":[1,2]}'],
    ]);
  });
});

describe('dead-letter file', () => {
  it('appends fsynced JSON lines, dedupes by sequence number across reopen, cuts a torn tail', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dl-'));
    try {
      const entry = (seq: string) => ({ shardId: 'shardId-0', sequenceNumber: seq, partitionKey: 'k', reason: 'bad', arrivalTimeMs: 1, deadLetteredAtMs: Number(seq), sizeBytes: 1, valueBase64: 'eA==' });
      let f = await DeadLetterFile.open(dir, 'shardId-0');
      expect(await f.append(entry('5'))).toBe(true);
      expect(await f.append(entry('7'))).toBe(true);
      await f.close();
      await appendFile(join(dir, 'dead-letter', 'shardId-0.jsonl'), '{"torn":');
      f = await DeadLetterFile.open(dir, 'shardId-0');
      expect(await f.append(entry('5'))).toBe(false);
      expect(await f.append(entry('7'))).toBe(false);
      expect(await f.append(entry('100000000000000000000000000000000000009'))).toBe(true);
      await f.close();
      const text = await readFile(join(dir, 'dead-letter', 'shardId-0.jsonl'), 'utf8');
      expect(text.trim().split('\n')).toHaveLength(3);
      const read = await readDeadLetters(dir, { limit: 2 });
      expect(read.total).toBe(3);
      expect(read.entries.map((e) => e.sequenceNumber)).toEqual(['7', '100000000000000000000000000000000000009']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

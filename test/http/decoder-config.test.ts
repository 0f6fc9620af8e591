import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsSchema, eventsTableConfig } from '../helpers/pinot-config-fixtures.js';
import { startHarness } from './http-harness.js';
import type { Harness } from './http-harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
});

afterEach(async () => {
  await h.close();
});

/** The events table config with these decoder properties in its stream config. */
function withDecoder(props: Record<string, string>): Record<string, unknown> {
  const config = eventsTableConfig();
  const index = config.tableIndexConfig as { streamConfigs: Record<string, unknown> };
  index.streamConfigs = { ...index.streamConfigs, ...props };
  return config;
}

async function postTable(props: Record<string, string>): Promise<{ status: number; body: { code?: number; error?: string } }> {
  const response = await h.inject({ method: 'POST', url: '/tables', payload: withDecoder(props) });
  return { status: response.statusCode, body: response.json() };
}

const AVRO = 'org.apache.pinot.plugin.inputformat.avro.SimpleAvroMessageDecoder';

describe('decoder config at POST /tables', () => {
  it('accepts the Avro decoder with an inline writer schema', async () => {
    const schema = JSON.stringify({ type: 'record', name: 'E', fields: [{ name: 'user', type: 'string' }] });
    expect((await postTable({ 'stream.kinesis.decoder.class.name': AVRO, 'stream.kinesis.decoder.prop.schema': schema })).status).toBe(200);
  });

  it.each([
    [{ 'stream.kinesis.decoder.class.name': AVRO }, 'stream.kinesis.decoder.prop.schema: the Avro decoder needs the writer schema'],
    [{ 'stream.kinesis.decoder.class.name': 'avro', 'stream.kinesis.decoder.prop.schema': '{"type":' }, 'stream.kinesis.decoder.prop.schema: the Avro schema is not valid JSON'],
    [{ 'stream.kinesis.decoder.class.name': 'avro', 'stream.kinesis.decoder.prop.schema.file': 'missing/nothing.avsc' }, 'stream.kinesis.decoder.prop.schema.file: cannot read Avro schema file'],
    [{ 'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.avro.KafkaAvroMessageDecoder' }, 'needs a schema registry'],
    [{ 'stream.kinesis.decoder.class.name': 'com.example.ThriftDecoder' }, 'unknown decoder class com.example.ThriftDecoder'],
    [{ 'stream.kinesis.decoder.class.name': 'csv', 'stream.kinesis.decoder.prop.delimiter': ';;' }, 'stream.kinesis.decoder.prop.delimiter: must be a single character'],
    [{ 'stream.kinesis.decoder.class.name': 'raw', 'stream.kinesis.decoder.prop.column': 'nope' }, 'stream.kinesis.decoder.prop.column: schema events has no column "nope"'],
  ])('%j → 400 naming the key', async (props, text) => {
    const { status, body } = await postTable(props);
    expect(status).toBe(400);
    expect(body.code).toBe(400);
    expect(body.error).toContain(text);
  });
});

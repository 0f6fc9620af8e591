import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEventGenerator } from '../src/cli/quickstart-events.js';
import { buildTableSchema, validateSchema, validateTableConfig } from '../src/config/index.js';
import type { TableSchema } from '../src/config/schema.js';
import type { TableConfig } from '../src/config/table-config.js';
import { kinesisOffsetFactory } from '../src/plugins/stream/kinesis/index.js';
import type { StreamMessage } from '../src/spi/message-batch.js';

const QUICKSTART = join(process.cwd(), 'schemas', 'quickstart');

/** The quickstart clickstream table: a realistic ~15-field event with a multi-value field. */
export function clickstreamTable(): { schema: TableSchema; config: TableConfig } {
  const schemaJson = JSON.parse(readFileSync(join(QUICKSTART, 'clickstream_schema.json'), 'utf8'));
  const tableJson = JSON.parse(readFileSync(join(QUICKSTART, 'clickstream_realtime_table_config.json'), 'utf8'));
  const schema = buildTableSchema(validateSchema(schemaJson));
  return { schema, config: validateTableConfig(tableJson, schema) };
}

/** `count` records shaped like GetRecords output (bytes, key, offset, arrival time). */
export function eventRecords(count: number, seed = 42): { messages: StreamMessage[]; bytes: number } {
  const events = createEventGenerator(seed);
  const encoder = new TextEncoder();
  const base = 49_680_448_588_119_584_356_748_470_491_749_494_207_668_768_110_112_931_842n;
  const messages: StreamMessage[] = [];
  let bytes = 0;
  const now = 1_790_000_000_000;
  for (let i = 0; i < count; i++) {
    const event = events.next(now + i);
    const value = encoder.encode(JSON.stringify(event));
    bytes += value.length;
    messages.push({
      key: String(event.userId),
      value,
      offset: kinesisOffsetFactory.parse((base + BigInt(i)).toString()),
      arrivalTimeMs: now + i,
      serializedSize: value.length,
    });
  }
  return { messages, bytes };
}

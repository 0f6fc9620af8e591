import { closeSync, openSync, writeSync } from 'node:fs';
import { buildTableSchema, validateSchema, validateTableConfig } from '../src/config/index.js';
import type { TableSchema } from '../src/config/schema.js';
import type { TableConfig } from '../src/config/table-config.js';
import type { DecodedRow } from '../src/spi/decoder.js';

/**
 * The generated `events` table of the query and memory benchmarks: 9 columns, deterministic rows
 * (a function of the seed and the row number), so shardtable and DuckDB load the same values.
 *
 * | column     | type        | values                               | index                 |
 * |------------|-------------|--------------------------------------|-----------------------|
 * | ts         | TIMESTAMP   | T0 + 10 ms x row                     | time column           |
 * | customerId | INT         | uniform, rows/100 distinct           | sorted                |
 * | userId     | LONG        | uniform, rows/10 distinct            | inverted              |
 * | country    | STRING      | 40 codes, skewed (first most common) | inverted              |
 * | eventType  | STRING      | 8 values                             | dictionary            |
 * | status     | INT         | 200 (90 %), 302, 404, 500            | dictionary            |
 * | amount     | DOUBLE      | 0.00–1000.00 (cents)                 | raw (noDictionary)    |
 * | latencyMs  | INT         | 0–4999, skewed low                   | raw (noDictionary)    |
 * | tags       | STRING MV   | 1–3 of 16 tags                       | dictionary            |
 */
export const EVENTS_T0 = 1_790_000_000_000;

export const COUNTRIES = [
  'US', 'DE', 'FR', 'JP', 'BR', 'GB', 'IN', 'CA', 'IT', 'ES', 'MX', 'KR', 'NL', 'AU', 'SE', 'PL', 'BE', 'CH', 'AT', 'NO',
  'DK', 'FI', 'IE', 'PT', 'CZ', 'GR', 'HU', 'RO', 'NZ', 'SG', 'AR', 'CL', 'CO', 'PE', 'ZA', 'EG', 'TR', 'IL', 'IS', 'LU',
] as const;
export const EVENT_TYPES = ['view', 'click', 'scroll', 'search', 'add_to_cart', 'checkout', 'purchase', 'refund'] as const;
export const TAGS = ['sale', 'new', 'mobile', 'desktop', 'promo', 'returning', 'organic', 'paid', 'email', 'social', 'beta', 'vip', 'eu', 'us', 'apac', 'test'] as const;
const STATUSES = [200, 302, 404, 500] as const;

export const EVENTS_COLUMNS = ['ts', 'customerId', 'userId', 'country', 'eventType', 'status', 'amount', 'latencyMs', 'tags'] as const;

export function eventsTable(): { schema: TableSchema; config: TableConfig } {
  const schema = buildTableSchema(
    validateSchema({
      schemaName: 'events',
      dimensionFieldSpecs: [
        { name: 'customerId', dataType: 'INT' },
        { name: 'userId', dataType: 'LONG' },
        { name: 'country', dataType: 'STRING' },
        { name: 'eventType', dataType: 'STRING' },
        { name: 'status', dataType: 'INT' },
        { name: 'tags', dataType: 'STRING', singleValueField: false },
      ],
      metricFieldSpecs: [
        { name: 'amount', dataType: 'DOUBLE' },
        { name: 'latencyMs', dataType: 'INT' },
      ],
      dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
    }),
  );
  const config = validateTableConfig(
    {
      tableName: 'events',
      tableType: 'REALTIME',
      segmentsConfig: { timeColumnName: 'ts' },
      tableIndexConfig: {
        sortedColumn: ['customerId'],
        invertedIndexColumns: ['userId', 'country'],
        noDictionaryColumns: ['amount', 'latencyMs'],
        // Never read: the benchmark builds segments directly, without a stream.
        streamConfigs: { streamType: 'kinesis', 'stream.kinesis.topic.name': 'bench-events', region: 'us-east-1' },
      },
    },
    schema,
  );
  return { schema, config };
}

/** One generated row, as plain values (bigint for LONG/TIMESTAMP). */
export interface EventRow {
  ts: bigint;
  customerId: number;
  userId: bigint;
  country: string;
  eventType: string;
  status: number;
  amount: number;
  latencyMs: number;
  tags: string[];
}

/**
 * Deterministic row generator (xorshift32). `totalRows` scales the cardinality of `customerId`
 * and `userId`, so selective filters stay about as selective at 1M and 10M rows.
 */
export function eventGenerator(totalRows: number, seed = 0x9e3779b9): { next(i: number): EventRow } {
  let s = seed >>> 0 || 1;
  const rand = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const customers = Math.max(10, Math.floor(totalRows / 100));
  const users = Math.max(10, Math.floor(totalRows / 10));
  return {
    next(i: number): EventRow {
      const r = rand();
      const nTags = 1 + Math.floor(rand() * 3);
      const tags: string[] = [];
      for (let t = 0; t < nTags; t++) {
        const tag = TAGS[Math.floor(rand() * TAGS.length)]!;
        if (!tags.includes(tag)) tags.push(tag);
      }
      const sr = rand();
      return {
        ts: BigInt(EVENTS_T0 + i * 10),
        customerId: Math.floor(rand() * customers),
        userId: BigInt(1_000_000 + Math.floor(rand() * users)),
        country: COUNTRIES[Math.floor(COUNTRIES.length * r * r)]!,
        eventType: EVENT_TYPES[Math.floor(rand() * EVENT_TYPES.length)]!,
        status: sr < 0.9 ? 200 : STATUSES[1 + Math.floor((sr - 0.9) * 30)]!,
        amount: Math.floor(rand() * 100_001) / 100,
        latencyMs: Math.floor(rand() ** 3 * 5000),
        tags,
      };
    },
  };
}

/** The row as `ConsumingSegment.index` takes it (one cell per schema column, schema order). */
export function toDecodedRow(schema: TableSchema, row: EventRow): DecodedRow {
  return schema.columns.map((c) => row[c.name as keyof EventRow] as DecodedRow[number]);
}

/** Bytes of the row's values at their natural width: numbers 4/8 bytes, strings their UTF-8 bytes. */
export function rawColumnarBytes(row: EventRow): number {
  let tagBytes = 0;
  for (const t of row.tags) tagBytes += Buffer.byteLength(t);
  // ts, userId, amount: 8; customerId, status, latencyMs: 4; MV: its values plus a 4-byte count.
  return 8 * 3 + 4 * 3 + Buffer.byteLength(row.country) + Buffer.byteLength(row.eventType) + tagBytes + 4;
}

/** Writes rows as CSV for DuckDB's `read_csv` (tags joined by `|`), buffered. */
export class CsvWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private size = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, `${EVENTS_COLUMNS.join(',')}\n`);
  }

  write(row: EventRow): void {
    const line = `${row.ts},${row.customerId},${row.userId},${row.country},${row.eventType},${row.status},${row.amount},${row.latencyMs},${row.tags.join('|')}\n`;
    this.buffer.push(line);
    this.size += line.length;
    if (this.size > 1 << 22) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.buffer.length > 0) writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.size = 0;
  }
}

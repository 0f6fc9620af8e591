import { closeSync, openSync, writeSync } from 'node:fs';
import { buildTableSchema, validateSchema, validateTableConfig } from '../src/config/index.js';
import type { TableSchema } from '../src/config/schema.js';
import type { TableConfig } from '../src/config/table-config.js';
import { ConsumingSegment, sealSegment } from '../src/segment/index.js';
import type { SealedSegment } from '../src/segment/index.js';
import type { DecodedRow } from '../src/spi/decoder.js';

/**
 * A table the benchmarks generate in process: deterministic rows (xorshift32; a function of the
 * seed and the row number), so shardtable and DuckDB load the same values. Two are defined here:
 * the `events` table of the query, memory and storage benchmarks ({@link eventsTable}) and SSB's
 * `lineorder_flat` ({@link ssbTable}).
 */
export interface GeneratedTable<Row> {
  readonly name: string;
  readonly timeColumn: string;
  readonly schema: TableSchema;
  readonly config: TableConfig;
  /** The CSV header DuckDB reads, in the order of {@link csvLine}'s cells. */
  readonly csvColumns: readonly string[];
  /** Rows for a table of `totalRows` rows; `next(i)` is row `i`, asked for in order from 0. */
  generator(totalRows: number): { next(i: number): Row };
  /** The row as one CSV line for DuckDB (no newline). */
  csvLine(row: Row): string;
  /** The row's time column value, epoch millis. */
  timeMs(row: Row): number;
}

/**
 * Schema and config through the server's own validators. The stream config is never read: the
 * benchmarks build segments directly, without a stream.
 */
function validatedTable(schemaJson: unknown, timeColumn: string, indexing: Record<string, unknown>): { schema: TableSchema; config: TableConfig } {
  const schema = buildTableSchema(validateSchema(schemaJson));
  const name = (schemaJson as { schemaName: string }).schemaName;
  const config = validateTableConfig(
    {
      tableName: name,
      tableType: 'REALTIME',
      segmentsConfig: { timeColumnName: timeColumn },
      tableIndexConfig: { ...indexing, streamConfigs: { streamType: 'kinesis', 'stream.kinesis.topic.name': `bench-${name}`, region: 'us-east-1' } },
    },
    schema,
  );
  return { schema, config };
}

/** xorshift32 from `seed`: each call returns the next value, uniform in [0, 1). */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** The row as `ConsumingSegment.index` takes it (one cell per schema column, schema order). */
export function toDecodedRow(schema: TableSchema, row: object): DecodedRow {
  const cells = row as Record<string, DecodedRow[number]>;
  return schema.columns.map((c) => cells[c.name] as DecodedRow[number]);
}

/** Writes a generated table's rows as CSV for DuckDB's `read_csv`, buffered. */
export class CsvWriter<Row> {
  private readonly fd: number;
  private buffer: string[] = [];
  private size = 0;

  constructor(
    path: string,
    private readonly table: Pick<GeneratedTable<Row>, 'csvColumns' | 'csvLine'>,
  ) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, `${table.csvColumns.join(',')}\n`);
  }

  write(row: Row): void {
    const line = `${this.table.csvLine(row)}\n`;
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

/** How a generated table is laid out in segments. */
export interface SegmentLayout {
  readonly rows: number;
  readonly rowsPerSegment: number;
  /** The last rows, left unsealed in one consuming segment. */
  readonly consumingRows: number;
}

/**
 * Generates `layout.rows` rows of `table` into segments in `dir` (partition 0): sealed segments of
 * `rowsPerSegment` rows, then the last `consumingRows` in one consuming segment. Each row also
 * goes to `onRow` (e.g. a {@link CsvWriter} for DuckDB).
 */
export async function buildSegments<Row>(
  table: GeneratedTable<Row>,
  layout: SegmentLayout,
  dir: string,
  onRow: (row: Row) => void = () => {},
): Promise<{ sealed: SealedSegment[]; consuming: ConsumingSegment | null }> {
  const { name, schema, config, timeColumn } = table;
  const generator = table.generator(layout.rows);
  const sealed: SealedSegment[] = [];
  let consuming: ConsumingSegment | null = null;
  const sealedRows = layout.rows - layout.consumingRows;
  for (let i = 0; i < layout.rows; i++) {
    consuming ??= new ConsumingSegment({
      identity: { tableName: name, segmentName: `${name}__0__${sealed.length}__20260101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' },
      schema,
      indexing: config.indexing,
      timeColumnName: timeColumn,
    });
    const row = generator.next(i);
    consuming.index(toDecodedRow(schema, row as object), String(i), table.timeMs(row));
    onRow(row);
    if (i < sealedRows && (consuming.numDocs === layout.rowsPerSegment || i === sealedRows - 1)) {
      sealed.push(await sealSegment(consuming, { tableDir: dir, endOfShard: false }));
      consuming = null;
    }
  }
  return { sealed, consuming };
}

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

export function eventsTable(): GeneratedTable<EventRow> {
  const { schema, config } = validatedTable(
    {
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
    },
    'ts',
    { sortedColumn: ['customerId'], invertedIndexColumns: ['userId', 'country'], noDictionaryColumns: ['amount', 'latencyMs'] },
  );
  return {
    name: 'events',
    timeColumn: 'ts',
    schema,
    config,
    csvColumns: EVENTS_COLUMNS,
    generator: eventGenerator,
    // Tags joined by `|`.
    csvLine: (row) => `${row.ts},${row.customerId},${row.userId},${row.country},${row.eventType},${row.status},${row.amount},${row.latencyMs},${row.tags.join('|')}`,
    timeMs: (row) => Number(row.ts),
  };
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
  const rand = xorshift32(seed);
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

/** Bytes of the row's values at their natural width: numbers 4/8 bytes, strings their UTF-8 bytes. */
export function rawColumnarBytes(row: EventRow): number {
  let tagBytes = 0;
  for (const t of row.tags) tagBytes += Buffer.byteLength(t);
  // ts, userId, amount: 8; customerId, status, latencyMs: 4; MV: its values plus a 4-byte count.
  return 8 * 3 + 4 * 3 + Buffer.byteLength(row.country) + Buffer.byteLength(row.eventType) + tagBytes + 4;
}

/**
 * The Star Schema Benchmark's `lineorder` joined with its customer, supplier and part tables into
 * one flat table, as ClickHouse publishes it (`lineorder_flat`), generated in process and
 * deterministically (xorshift32), so shardtable and DuckDB load the same rows.
 *
 * The distributions approximate SSB's `dbgen` (O'Neil et al., "Star Schema Benchmark", rev. 3):
 * scale factor SF = rows / 6,000,000; 30,000 x SF customers, 2,000 x SF suppliers and
 * 200,000 x ⌊1 + log2 SF⌋ parts (at least 200,000), each drawn uniformly per order / line; orders
 * of 1-7 lines (uniform); order dates uniform over 1992-01-01 .. 1998-08-02 (dbgen's end date
 * minus 151 days); nations uniform over TPC-H's 25 (with their regions); cities the nation's first
 * 9 characters, padded, plus a digit 0-9 (`UNITED KI1`); `P_MFGR` `MFGR#1..5`, `P_CATEGORY`
 * `MFGR#` + mfgr + 1..5, `P_BRAND` category + 1..40 (`MFGR#2239`); quantity 1-50, discount 0-10,
 * tax 0-8; retail price TPC-H's formula in cents; extended price = quantity x retail price;
 * revenue = extended price x (100 - discount) / 100; supply cost = 6 x retail price / 10;
 * commit date = order date + 30..90 days. Names, addresses, phones and comments are left out:
 * no query reads them. Prices are integer cents (INT), as ClickHouse's UInt32 columns.
 */
export const SSB_COLUMNS = [
  'LO_ORDERKEY', 'LO_LINENUMBER', 'LO_CUSTKEY', 'LO_PARTKEY', 'LO_SUPPKEY', 'LO_ORDERDATE', 'LO_ORDERPRIORITY', 'LO_SHIPPRIORITY',
  'LO_QUANTITY', 'LO_EXTENDEDPRICE', 'LO_ORDTOTALPRICE', 'LO_DISCOUNT', 'LO_REVENUE', 'LO_SUPPLYCOST', 'LO_TAX', 'LO_COMMITDATE',
  'LO_SHIPMODE', 'C_CITY', 'C_NATION', 'C_REGION', 'C_MKTSEGMENT', 'S_CITY', 'S_NATION', 'S_REGION', 'P_MFGR', 'P_CATEGORY',
  'P_BRAND', 'P_COLOR', 'P_TYPE', 'P_SIZE', 'P_CONTAINER',
] as const;

export type SsbColumn = (typeof SSB_COLUMNS)[number];
export type SsbRow = Record<SsbColumn, number | bigint | string>;

const NATIONS: readonly [string, string][] = [
  ['ALGERIA', 'AFRICA'], ['ARGENTINA', 'AMERICA'], ['BRAZIL', 'AMERICA'], ['CANADA', 'AMERICA'], ['EGYPT', 'MIDDLE EAST'],
  ['ETHIOPIA', 'AFRICA'], ['FRANCE', 'EUROPE'], ['GERMANY', 'EUROPE'], ['INDIA', 'ASIA'], ['INDONESIA', 'ASIA'],
  ['IRAN', 'MIDDLE EAST'], ['IRAQ', 'MIDDLE EAST'], ['JAPAN', 'ASIA'], ['JORDAN', 'MIDDLE EAST'], ['KENYA', 'AFRICA'],
  ['MOROCCO', 'AFRICA'], ['MOZAMBIQUE', 'AFRICA'], ['PERU', 'AMERICA'], ['CHINA', 'ASIA'], ['ROMANIA', 'EUROPE'],
  ['SAUDI ARABIA', 'MIDDLE EAST'], ['VIETNAM', 'ASIA'], ['RUSSIA', 'EUROPE'], ['UNITED KINGDOM', 'EUROPE'], ['UNITED STATES', 'AMERICA'],
];
const PRIORITIES = ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECI', '5-LOW'];
const SHIP_MODES = ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'];
const SEGMENTS = ['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD'];
const COLORS = ['almond', 'antique', 'aquamarine', 'azure', 'beige', 'bisque', 'black', 'blanched', 'blue', 'blush', 'brown', 'burlywood', 'burnished', 'chartreuse', 'chiffon', 'chocolate', 'coral', 'cornflower', 'cornsilk', 'cream', 'cyan', 'dark', 'deep', 'dim', 'dodger', 'drab', 'firebrick', 'floral', 'forest', 'frosted', 'gainsboro', 'ghost', 'goldenrod', 'green', 'grey', 'honeydew', 'hot', 'indian', 'ivory', 'khaki', 'lace', 'lavender', 'lawn', 'lemon', 'light', 'lime', 'linen', 'magenta', 'maroon', 'medium', 'metallic', 'midnight', 'mint', 'misty', 'moccasin', 'navajo', 'navy', 'olive', 'orange', 'orchid', 'pale', 'papaya', 'peach', 'peru', 'pink', 'plum', 'powder', 'puff', 'purple', 'red', 'rose', 'rosy', 'royal', 'saddle', 'salmon', 'sandy', 'seashell', 'sienna', 'sky', 'slate', 'smoke', 'snow', 'spring', 'steel', 'tan', 'thistle', 'tomato', 'turquoise', 'violet', 'wheat', 'white', 'yellow'];
const TYPE_1 = ['STANDARD', 'SMALL', 'MEDIUM', 'LARGE', 'ECONOMY', 'PROMO'];
const TYPE_2 = ['ANODIZED', 'BURNISHED', 'PLATED', 'POLISHED', 'BRUSHED'];
const TYPE_3 = ['TIN', 'NICKEL', 'BRASS', 'STEEL', 'COPPER'];
const CONTAINER_1 = ['SM', 'LG', 'MED', 'JUMBO', 'WRAP'];
const CONTAINER_2 = ['CASE', 'BOX', 'BAG', 'JAR', 'PKG', 'PACK', 'CAN', 'DRUM'];

const DAY_MS = 86_400_000;
const START_MS = Date.UTC(1992, 0, 1);
/** dbgen: order dates run to 1998-12-31 minus 151 days. */
const ORDER_DAYS = Math.round((Date.UTC(1998, 11, 31) - START_MS) / DAY_MS) - 151 + 1;

function city(nation: string, digit: number): string {
  return `${nation.slice(0, 9).padEnd(9, ' ')}${digit}`;
}

export function ssbTable(): GeneratedTable<SsbRow> {
  const dim = (name: string, dataType: 'INT' | 'LONG' | 'STRING') => ({ name, dataType });
  const strings = ['LO_ORDERPRIORITY', 'LO_SHIPMODE', 'C_CITY', 'C_NATION', 'C_REGION', 'C_MKTSEGMENT', 'S_CITY', 'S_NATION', 'S_REGION', 'P_MFGR', 'P_CATEGORY', 'P_BRAND', 'P_COLOR', 'P_TYPE', 'P_CONTAINER'];
  const { schema, config } = validatedTable(
    {
      schemaName: 'lineorder_flat',
      dimensionFieldSpecs: [
        dim('LO_ORDERKEY', 'LONG'), dim('LO_LINENUMBER', 'INT'), dim('LO_CUSTKEY', 'INT'), dim('LO_PARTKEY', 'INT'), dim('LO_SUPPKEY', 'INT'),
        dim('LO_SHIPPRIORITY', 'INT'), dim('P_SIZE', 'INT'), ...strings.map((s) => dim(s, 'STRING')),
      ],
      metricFieldSpecs: ['LO_QUANTITY', 'LO_EXTENDEDPRICE', 'LO_ORDTOTALPRICE', 'LO_DISCOUNT', 'LO_REVENUE', 'LO_SUPPLYCOST', 'LO_TAX'].map((name) => ({ name, dataType: 'INT' as const })),
      dateTimeFieldSpecs: [
        { name: 'LO_ORDERDATE', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:DAYS' },
        { name: 'LO_COMMITDATE', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:DAYS' },
      ],
    },
    'LO_ORDERDATE',
    {
      sortedColumn: ['LO_ORDERDATE'],
      invertedIndexColumns: ['C_REGION', 'S_REGION', 'C_NATION', 'S_NATION', 'P_CATEGORY', 'P_MFGR'],
      noDictionaryColumns: ['LO_ORDERKEY', 'LO_EXTENDEDPRICE', 'LO_ORDTOTALPRICE', 'LO_REVENUE', 'LO_SUPPLYCOST'],
    },
  );
  return {
    name: 'lineorder_flat',
    timeColumn: 'LO_ORDERDATE',
    schema,
    config,
    csvColumns: SSB_COLUMNS,
    generator: (totalRows) => ssbGenerator(totalRows),
    // Dates as YYYY-MM-DD (DuckDB's DATE).
    csvLine: (row) => SSB_COLUMNS.map((c) => (c === 'LO_ORDERDATE' || c === 'LO_COMMITDATE' ? isoDate(row[c] as bigint) : String(row[c]))).join(','),
    timeMs: (row) => Number(row.LO_ORDERDATE),
  };
}

/** SSB rows in order-key order; `next()` returns the next line (orders of 1-7 lines). */
export function ssbGenerator(totalRows: number, seed = 0x5eed5eed): { next(): SsbRow } {
  const uniform = xorshift32(seed);
  const rand = (n: number): number => Math.floor(uniform() * n);
  const sf = totalRows / 6_000_000;
  const customers = Math.max(300, Math.round(30_000 * sf));
  const suppliers = Math.max(20, Math.round(2_000 * sf));
  const parts = 200_000 * Math.max(1, Math.floor(1 + Math.log2(Math.max(sf, 1e-9))));
  // Dimension attributes are functions of the key (drawn once per key from its own stream).
  const attrs = (key: number, salt: number): number => {
    let h = Math.imul(key ^ salt, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    return h >>> 0;
  };
  let orderKey = 0;
  let pending: SsbRow[] = [];
  const nextOrder = (): void => {
    orderKey++;
    const custKey = 1 + rand(customers);
    const cn = attrs(custKey, 1);
    const [cNation, cRegion] = NATIONS[cn % 25]!;
    const orderDate = START_MS + rand(ORDER_DAYS) * DAY_MS;
    const priority = PRIORITIES[rand(5)]!;
    const lines = 1 + rand(7);
    const rows: SsbRow[] = [];
    let total = 0;
    for (let ln = 1; ln <= lines; ln++) {
      const partKey = 1 + rand(parts);
      const suppKey = 1 + rand(suppliers);
      const sn = attrs(suppKey, 2);
      const [sNation, sRegion] = NATIONS[sn % 25]!;
      const pa = attrs(partKey, 3);
      const mfgr = 1 + (pa % 5);
      const category = 1 + (Math.floor(pa / 5) % 5);
      const brand = 1 + (Math.floor(pa / 25) % 40);
      const retail = 90_000 + (Math.floor(partKey / 10) % 20_001) + 100 * (partKey % 1000);
      const quantity = 1 + rand(50);
      const discount = rand(11);
      const tax = rand(9);
      const extended = quantity * retail;
      const revenue = Math.floor((extended * (100 - discount)) / 100);
      total += Math.floor((Math.floor((extended * (100 + tax)) / 100) * (100 - discount)) / 100);
      rows.push({
        LO_ORDERKEY: BigInt(orderKey),
        LO_LINENUMBER: ln,
        LO_CUSTKEY: custKey,
        LO_PARTKEY: partKey,
        LO_SUPPKEY: suppKey,
        LO_ORDERDATE: BigInt(orderDate),
        LO_ORDERPRIORITY: priority,
        LO_SHIPPRIORITY: 0,
        LO_QUANTITY: quantity,
        LO_EXTENDEDPRICE: extended,
        LO_ORDTOTALPRICE: 0,
        LO_DISCOUNT: discount,
        LO_REVENUE: revenue,
        LO_SUPPLYCOST: Math.floor((6 * retail) / 10),
        LO_TAX: tax,
        LO_COMMITDATE: BigInt(orderDate + (30 + rand(61)) * DAY_MS),
        LO_SHIPMODE: SHIP_MODES[rand(7)]!,
        C_CITY: city(cNation, Math.floor(cn / 25) % 10),
        C_NATION: cNation,
        C_REGION: cRegion,
        C_MKTSEGMENT: SEGMENTS[Math.floor(cn / 250) % 5]!,
        S_CITY: city(sNation, Math.floor(sn / 25) % 10),
        S_NATION: sNation,
        S_REGION: sRegion,
        P_MFGR: `MFGR#${mfgr}`,
        P_CATEGORY: `MFGR#${mfgr}${category}`,
        P_BRAND: `MFGR#${mfgr}${category}${brand}`,
        P_COLOR: COLORS[Math.floor(pa / 1000) % COLORS.length]!,
        P_TYPE: `${TYPE_1[Math.floor(pa / 7) % 6]!} ${TYPE_2[Math.floor(pa / 43) % 5]!} ${TYPE_3[Math.floor(pa / 211) % 5]!}`,
        P_SIZE: 1 + (Math.floor(pa / 97) % 50),
        P_CONTAINER: `${CONTAINER_1[Math.floor(pa / 13) % 5]!} ${CONTAINER_2[Math.floor(pa / 67) % 8]!}`,
      });
    }
    for (const r of rows) r.LO_ORDTOTALPRICE = total;
    pending = rows.reverse();
  };
  return {
    next(): SsbRow {
      if (pending.length === 0) nextOrder();
      return pending.pop()!;
    },
  };
}

function isoDate(ms: bigint): string {
  return new Date(Number(ms)).toISOString().slice(0, 10);
}

const ssbProbe = ssbGenerator(1).next();

/** DuckDB's column types, in `SSB_COLUMNS` order (dates as DATE, as ClickHouse's table has them). */
export const SSB_DUCKDB_TYPES: Record<SsbColumn, string> = Object.fromEntries(
  SSB_COLUMNS.map((c) => [c, c === 'LO_ORDERKEY' ? 'BIGINT' : c === 'LO_ORDERDATE' || c === 'LO_COMMITDATE' ? 'DATE' : typeof ssbProbe[c] === 'string' ? 'VARCHAR' : 'INTEGER']),
) as Record<SsbColumn, string>;

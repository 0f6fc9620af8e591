import { closeSync, openSync, writeSync } from 'node:fs';
import { buildTableSchema, validateSchema, validateTableConfig } from '../src/config/index.js';
import type { TableSchema } from '../src/config/schema.js';
import type { TableConfig } from '../src/config/table-config.js';
import type { DecodedRow } from '../src/spi/decoder.js';

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

export function ssbTable(): { schema: TableSchema; config: TableConfig } {
  const dim = (name: string, dataType: 'INT' | 'LONG' | 'STRING') => ({ name, dataType });
  const strings = ['LO_ORDERPRIORITY', 'LO_SHIPMODE', 'C_CITY', 'C_NATION', 'C_REGION', 'C_MKTSEGMENT', 'S_CITY', 'S_NATION', 'S_REGION', 'P_MFGR', 'P_CATEGORY', 'P_BRAND', 'P_COLOR', 'P_TYPE', 'P_CONTAINER'];
  const schema = buildTableSchema(
    validateSchema({
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
    }),
  );
  const config = validateTableConfig(
    {
      tableName: 'lineorder_flat',
      tableType: 'REALTIME',
      segmentsConfig: { timeColumnName: 'LO_ORDERDATE' },
      tableIndexConfig: {
        sortedColumn: ['LO_ORDERDATE'],
        invertedIndexColumns: ['C_REGION', 'S_REGION', 'C_NATION', 'S_NATION', 'P_CATEGORY', 'P_MFGR'],
        noDictionaryColumns: ['LO_ORDERKEY', 'LO_EXTENDEDPRICE', 'LO_ORDTOTALPRICE', 'LO_REVENUE', 'LO_SUPPLYCOST'],
        // Never read: the benchmark builds segments directly, without a stream.
        streamConfigs: { streamType: 'kinesis', 'stream.kinesis.topic.name': 'bench-ssb', region: 'us-east-1' },
      },
    },
    schema,
  );
  return { schema, config };
}

/** SSB rows in order-key order; `next()` returns the next line (orders of 1-7 lines). */
export function ssbGenerator(totalRows: number, seed = 0x5eed5eed): { next(): SsbRow } {
  let s = seed >>> 0 || 1;
  const rand = (n: number): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return Math.floor((s / 4294967296) * n);
  };
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

/** The row as `ConsumingSegment.index` takes it (schema order). */
export function ssbDecodedRow(schema: TableSchema, row: SsbRow): DecodedRow {
  return schema.columns.map((c) => row[c.name as SsbColumn] as DecodedRow[number]);
}

function isoDate(ms: bigint): string {
  return new Date(Number(ms)).toISOString().slice(0, 10);
}

const ssbProbe = ssbGenerator(1).next();

/** DuckDB's column types, in `SSB_COLUMNS` order (dates as DATE, as ClickHouse's table has them). */
export const SSB_DUCKDB_TYPES: Record<SsbColumn, string> = Object.fromEntries(
  SSB_COLUMNS.map((c) => [c, c === 'LO_ORDERKEY' ? 'BIGINT' : c === 'LO_ORDERDATE' || c === 'LO_COMMITDATE' ? 'DATE' : typeof ssbProbe[c] === 'string' ? 'VARCHAR' : 'INTEGER']),
) as Record<SsbColumn, string>;

/** Writes rows as CSV for DuckDB (dates as YYYY-MM-DD), buffered. */
export class SsbCsvWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private size = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, `${SSB_COLUMNS.join(',')}\n`);
  }

  write(row: SsbRow): void {
    let line = '';
    for (let i = 0; i < SSB_COLUMNS.length; i++) {
      const c = SSB_COLUMNS[i]!;
      const v = row[c];
      line += (i > 0 ? ',' : '') + (c === 'LO_ORDERDATE' || c === 'LO_COMMITDATE' ? isoDate(v as bigint) : String(v));
    }
    line += '\n';
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

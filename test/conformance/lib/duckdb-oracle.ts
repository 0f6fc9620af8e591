import { BIGINT, BOOLEAN, DOUBLE, DuckDBInstance, FLOAT, INTEGER, LIST, VARCHAR, listValue } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import type { Cell } from './cells.js';
import type { JsonExact } from './json-exact.js';
import type { PinotDataType, PinotField, PinotValue } from './pinot-schema.js';

/**
 * DuckDB, in process, as the reference engine. A table is created from a Pinot schema and loaded
 * with the rows as Pinot stores them (`pinotRow`): multi-value columns become DuckDB lists.
 * Column types: INT→INTEGER, LONG→BIGINT, FLOAT→FLOAT, DOUBLE and BIG_DECIMAL→DOUBLE,
 * BOOLEAN→BOOLEAN, TIMESTAMP→BIGINT (epoch millis, compared as numbers), STRING, JSON and
 * BYTES (as lower-case hex, the way Pinot prints and compares BYTES)→VARCHAR.
 */
export class DuckDbOracle {
  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(): Promise<DuckDbOracle> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    return new DuckDbOracle(await instance.connect());
  }

  async createTable(table: string, fields: readonly PinotField[], rows: readonly Record<string, PinotValue | PinotValue[]>[]): Promise<void> {
    const columns = fields.map((f) => `${quote(f.name)} ${duckType(f).toString()}`).join(', ');
    await this.connection.run(`CREATE TABLE ${quote(table)} (${columns})`);
    const appender = await this.connection.createAppender(table);
    for (const row of rows) {
      for (const f of fields) append(appender, f, row[f.name]!);
      appender.endRow();
    }
    appender.closeSync();
  }

  /** Runs `sql`; rows with numbers as number/bigint, lists as arrays. */
  async query(sql: string): Promise<{ columns: string[]; rows: Cell[][] }> {
    const reader = await this.connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowsJS().map((r) => r.map(toCell)) };
  }

  close(): void {
    this.connection.closeSync();
  }
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function scalarType(t: PinotDataType): DuckDBType {
  switch (t) {
    case 'INT':
      return INTEGER;
    case 'LONG':
    case 'TIMESTAMP':
      return BIGINT;
    case 'FLOAT':
      return FLOAT;
    case 'DOUBLE':
    case 'BIG_DECIMAL':
      return DOUBLE;
    case 'BOOLEAN':
      return BOOLEAN;
    case 'STRING':
    case 'JSON':
    case 'BYTES':
      return VARCHAR;
  }
}

function duckType(f: PinotField): DuckDBType {
  return f.singleValue ? scalarType(f.dataType) : LIST(scalarType(f.dataType));
}

type Appender = Awaited<ReturnType<DuckDBConnection['createAppender']>>;

function duckValue(t: PinotDataType, v: PinotValue): number | bigint | string | boolean {
  switch (t) {
    case 'LONG':
    case 'TIMESTAMP':
      return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    default:
      return v;
  }
}

function append(appender: Appender, f: PinotField, v: PinotValue | PinotValue[]): void {
  if (!f.singleValue) {
    const values = (v as PinotValue[]).map((x) => duckValue(f.dataType, x));
    appender.appendList(listValue(values), LIST(scalarType(f.dataType)) as never);
    return;
  }
  const x = duckValue(f.dataType, v as PinotValue);
  switch (f.dataType) {
    case 'INT':
      appender.appendInteger(x as number);
      break;
    case 'LONG':
    case 'TIMESTAMP':
      appender.appendBigInt(x as bigint);
      break;
    case 'FLOAT':
      appender.appendFloat(x as number);
      break;
    case 'DOUBLE':
    case 'BIG_DECIMAL':
      appender.appendDouble(x as number);
      break;
    case 'BOOLEAN':
      appender.appendBoolean(x as boolean);
      break;
    default:
      appender.appendVarchar(String(x));
  }
}

function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(toCell) as JsonExact[];
  if (v instanceof Date) return v.getTime();
  return String(v);
}

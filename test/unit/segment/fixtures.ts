import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellValue, DataType, ScalarValue } from '../../../src/config/data-type.js';
import type { PinotFieldSpec, TableSchema } from '../../../src/config/schema.js';
import { buildTableSchema } from '../../../src/config/schema.js';
import type { IndexingConfig } from '../../../src/config/table-config.js';
import { expect } from 'vitest';
import { ConsumingSegment, parseLlcSegmentName } from '../../../src/segment/index.js';
import type { SegmentView } from '../../../src/segment/index.js';

export const ALL_TYPES: DataType[] = ['INT', 'LONG', 'FLOAT', 'DOUBLE', 'BIG_DECIMAL', 'BOOLEAN', 'TIMESTAMP', 'STRING', 'JSON', 'BYTES'];

/** A schema with one single-value and one multi-value column of every type, plus a time column. */
export function allTypesSchema(): TableSchema {
  const dims: PinotFieldSpec[] = [];
  for (const t of ALL_TYPES) {
    dims.push({ name: `sv_${t.toLowerCase()}`, dataType: t });
    dims.push({ name: `mv_${t.toLowerCase()}`, dataType: t, singleValueField: false });
  }
  return buildTableSchema({
    schemaName: 'alltypes',
    dimensionFieldSpecs: dims,
    metricFieldSpecs: [{ name: 'clicks', dataType: 'LONG' }],
    dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:TIMESTAMP', granularity: '1:MILLISECONDS' }],
  });
}

export function indexing(overrides: Partial<IndexingConfig> = {}): IndexingConfig {
  return { invertedIndexColumns: [], noDictionaryColumns: [], nullHandlingEnabled: false, ...overrides };
}

export function newSegment(schema: TableSchema, idx: IndexingConfig, name = 'alltypes__0__0__20240101T0000Z'): ConsumingSegment {
  return new ConsumingSegment({
    identity: {
      tableName: 'alltypes',
      segmentName: name,
      partitionId: parseLlcSegmentName(name)?.partitionId ?? 0,
      shardId: `shardId-${String(parseLlcSegmentName(name)?.partitionId ?? 0).padStart(12, '0')}`,
    },
    schema,
    indexing: idx,
    timeColumnName: 'ts',
    createdAtMs: 1_700_000_000_000,
  });
}

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

/** A value of `type` derived from `i`, covering extremes and awkward cases. */
export function valueOf(type: DataType, i: number): CellValue {
  switch (type) {
    case 'INT':
      return [0, -2147483648, 2147483647, -1, 42, i][i % 6]!;
    case 'LONG':
      return [0n, -9223372036854775808n, 9223372036854775807n, -1n, 9007199254740993n, BigInt(i) * 1000003n][i % 6]!;
    case 'FLOAT':
      return [0, Math.fround(12.1), Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Math.fround(i / 7), -0][i % 7]!;
    case 'DOUBLE':
      return [0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, Number.MAX_VALUE, Number.MIN_VALUE, i / 3][i % 8]!;
    case 'BIG_DECIMAL':
      return ['0', '-12345678901234567890.123456789', '1e-30', String(i)][i % 4]!;
    case 'BOOLEAN':
      return i % 2;
    case 'TIMESTAMP':
      return 1_700_000_000_000n + BigInt(i) * 1000n;
    case 'STRING':
      return ['', 'plain', 'ünïcödé ✓ 漢字 🚀', 'with\nnewline', `s${i % 50}`][i % 5]!;
    case 'JSON':
      return ['{}', '{"a":[1,2,{"b":null}]}', `{"i":${i}}`][i % 3]!;
    case 'BYTES':
      return [bytes(), bytes(0, 255, 128), bytes(i & 255, (i >> 8) & 255)][i % 3]!;
  }
}

/** A multi-value cell: sometimes empty, sometimes with repeats. */
export function multiValueOf(type: DataType, i: number): CellValue {
  const n = i % 4;
  const out: ScalarValue[] = [];
  for (let k = 0; k < n; k++) out.push(valueOf(type, i + k * 5) as ScalarValue);
  if (n === 3) out.push(out[0]!);
  return out;
}

/** Row `i` for `allTypesSchema`, with nulls every 7th row in some columns when `withNulls`. */
export function rowOf(schema: TableSchema, i: number, withNulls: boolean): (CellValue | null)[] {
  return schema.columns.map((c, ci) => {
    if (withNulls && (i + ci) % 7 === 0 && c.name !== 'ts') return null;
    if (c.name === 'clicks') return BigInt(i);
    return c.singleValue ? valueOf(c.dataType, i) : multiValueOf(c.dataType, i);
  });
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-seg-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Normalises a cell for deep comparison (Uint8Array → hex, -0 kept distinct, NaN equal). */
export function norm(v: unknown): unknown {
  if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString('hex')}`;
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v;
  return v;
}

/** Every cell of a view (null for null cells), normalised for comparison. */
export function cellsOf(view: SegmentView): unknown[][] {
  const out: unknown[][] = [];
  const cols = view.schema.columns.map((c) => view.column(c.name));
  for (let d = 0; d < view.numDocs; d++) out.push(cols.map((c) => (c.isNull(d) ? null : norm(c.getValue(d)))));
  return out;
}

/** Row-by-row equality that reports the first differing row (deep-equal on big arrays is slow). */
export function expectSameRows(actual: unknown[][], expected: unknown[][]): void {
  expect(actual.length).toBe(expected.length);
  const a = actual.map((r) => JSON.stringify(r));
  const e = expected.map((r) => JSON.stringify(r));
  const first = a.findIndex((row, i) => row !== e[i]);
  if (first >= 0) expect({ row: first, cells: actual[first] }).toEqual({ row: first, cells: expected[first] });
}

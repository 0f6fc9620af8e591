import type { CellValue, ScalarValue } from '../config/data-type.js';
import type { TableSchema } from '../config/schema.js';
import { RECORD_DOUBLES } from './key-index.js';
import type { KeyIndex } from './key-index.js';
import { compareValues } from './record-keys.js';

const NUMBER_TYPES = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE', 'TIMESTAMP']);
const SAFE = 9007199254740991n;
const NEG_SAFE = -9007199254740991n;

/**
 * The comparison values of the key map's entries, by entry id, and the one of the record being
 * admitted (`read`, then `winsOver` / `store`).
 *
 * - One numeric comparison column (the common case, and the only one a TTL allows): double 1 of
 *   the entry's record in the `KeyIndex`; a LONG beyond ±2^53 also keeps its exact value aside, so ties and order stay
 *   exact.
 * - Otherwise (strings, several columns): one small array per entry, each column's latest
 *   non-null value; a record is compared on its first non-null column (`docs/upsert.md`).
 */
export class ComparisonValues {
  /** True with one numeric comparison column: values are numbers (TTLs need this). */
  readonly numeric: boolean;
  private readonly exact = new Map<number, bigint>();
  private any: ((ScalarValue | null)[] | undefined)[] = [];
  private pendingNum = 0;
  private pendingBig: bigint | null = null;
  private pendingAny: (ScalarValue | null)[] = [];

  constructor(
    private readonly schema: TableSchema,
    private readonly columns: readonly number[],
    private readonly index: KeyIndex,
  ) {
    this.numeric = columns.length === 1 && NUMBER_TYPES.has(schema.columns[columns[0]!]!.dataType);
  }

  /** The comparison value(s) of a record; with one column a missing value counts as the default. */
  read(row: readonly (CellValue | null)[]): void {
    if (this.numeric) {
      const c = this.columns[0]!;
      const v = row[c] ?? this.schema.columns[c]!.defaultNullValue;
      if (typeof v === 'bigint') {
        this.pendingNum = Number(v);
        this.pendingBig = v >= NEG_SAFE && v <= SAFE ? null : v;
      } else {
        this.pendingNum = v as number;
        this.pendingBig = null;
      }
      return;
    }
    const { columns } = this;
    if (columns.length === 1) this.pendingAny = [(row[columns[0]!] ?? this.schema.columns[columns[0]!]!.defaultNullValue) as ScalarValue];
    else this.pendingAny = columns.map((i) => (row[i] ?? null) as ScalarValue | null);
  }

  /** The record's value as a number (numeric mode), for the TTL watermark. */
  get pendingNumber(): number {
    return this.pendingNum;
  }

  /** Does the record read last win over entry `id` (greater or equal: ties go to the later)? */
  winsOver(id: number): boolean {
    if (this.numeric) {
      if (this.pendingBig === null && (this.exact.size === 0 || !this.exact.has(id))) return !(this.pendingNum < this.index.records[id * RECORD_DOUBLES + 1]!);
      const a = this.pendingBig ?? BigInt(this.pendingNum);
      const b = this.exact.get(id) ?? BigInt(this.index.records[id * RECORD_DOUBLES + 1]!);
      return a >= b;
    }
    const old = this.any[id] ?? [];
    const cmp = this.pendingAny;
    let i = cmp.findIndex((v) => v !== null);
    if (i < 0) i = 0;
    const a = cmp[i] ?? null;
    const b = old[i] ?? null;
    if (a === null || b === null) return true;
    return compareValues(a, b) >= 0;
  }

  /** Entry `id` takes the record's value(s) (`fresh`: a new key, nothing to keep). */
  store(id: number, fresh: boolean): void {
    if (this.numeric) {
      this.index.records[id * RECORD_DOUBLES + 1] = this.pendingNum;
      if (this.pendingBig !== null) this.exact.set(id, this.pendingBig);
      else if (this.exact.size > 0) this.exact.delete(id);
      return;
    }
    const cmp = this.pendingAny;
    const old = this.any[id];
    this.any[id] = fresh || old === undefined || cmp.length === 1 ? cmp : cmp.map((v, i) => v ?? old[i] ?? null);
  }

  /** Entry `id`'s value as a number (numeric mode). */
  numberOf(id: number): number {
    return this.index.records[id * RECORD_DOUBLES + 1]!;
  }

  /** Entry `id` left the map. */
  clear(id: number): void {
    if (this.exact.size > 0) this.exact.delete(id);
    if (!this.numeric) this.any[id] = undefined;
  }
}

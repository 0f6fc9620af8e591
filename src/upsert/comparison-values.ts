import type { CellValue, ScalarValue } from '../config/data-type.js';
import type { TableSchema } from '../config/schema.js';
import { RECORD_DOUBLES } from './key-index.js';
import type { KeyIndex } from './key-index.js';
import { compareValues } from './record-keys.js';

const NUMBER_TYPES = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE', 'TIMESTAMP']);
const SAFE = 9007199254740991n;
const NEG_SAFE = -9007199254740991n;

/** One numeric comparison column: values are kept as numbers (TTLs need this). */
export function isNumericComparison(schema: TableSchema, columns: readonly number[]): boolean {
  return columns.length === 1 && NUMBER_TYPES.has(schema.columns[columns[0]!]!.dataType);
}

/**
 * The comparison values of the key map's entries, by entry id, and the one of the record being
 * admitted (`read`, then `winsOver` / `store`).
 *
 * - One numeric comparison column (the common case, and the only one a TTL allows): double 1 of
 *   the entry's record in the `KeyIndex`; a LONG beyond ±2^53 also keeps its exact value aside, so ties and order stay
 *   exact.
 * - Otherwise (strings, several columns): one small array per entry. A record is decided by one
 *   column, its first non-null one (`decidedBy`): it wins when the entry has no value in that
 *   column or its value there is greater or equal, and a win stores that one value (the others
 *   stay), as Pinot's `ComparisonColumns` merges them (`docs/upsert.md`). A record with no
 *   non-null value always wins and stores nothing. So what an entry holds depends only on the
 *   deciding column and value of each record applied, which a rebuild can replay.
 */
export class ComparisonValues {
  /** True with one numeric comparison column: values are numbers (TTLs need this). */
  readonly numeric: boolean;
  private readonly exact = new Map<number, bigint>();
  private any: ((ScalarValue | null)[] | undefined)[] = [];
  private pendingNum = 0;
  private pendingBig: bigint | null = null;
  private pendingCol = -1;
  private pendingVal: ScalarValue | null = null;

  constructor(
    private readonly schema: TableSchema,
    private readonly columns: readonly number[],
    private readonly index: KeyIndex,
  ) {
    this.numeric = isNumericComparison(schema, columns);
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
    if (columns.length === 1) {
      this.pendingCol = 0;
      this.pendingVal = (row[columns[0]!] ?? this.schema.columns[columns[0]!]!.defaultNullValue) as ScalarValue;
      return;
    }
    this.pendingCol = -1;
    this.pendingVal = null;
    for (let i = 0; i < columns.length; i++) {
      const v = row[columns[i]!] ?? null;
      if (v === null) continue;
      this.pendingCol = i;
      this.pendingVal = v as ScalarValue;
      return;
    }
  }

  /** A replayed row (several comparison columns): decided by column `col` (-1: none) with `value`. */
  readDecided(col: number, value: CellValue | null): void {
    this.pendingCol = col;
    this.pendingVal = col < 0 ? null : (value as ScalarValue);
  }

  /** The position (in `comparisonColumns`) of the column that decides the record read last; -1: none. */
  get decidedBy(): number {
    return this.pendingCol;
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
    const a = this.pendingVal;
    const b = this.pendingCol < 0 ? null : (this.any[id]?.[this.pendingCol] ?? null);
    if (a === null || b === null) return true;
    return compareValues(a, b) >= 0;
  }

  /** Does the record read last hold the same comparison value as entry `id` (a tie `winsOver` gives to it)? */
  ties(id: number): boolean {
    if (this.numeric) {
      if (this.pendingBig === null && (this.exact.size === 0 || !this.exact.has(id))) return this.pendingNum === this.index.records[id * RECORD_DOUBLES + 1]!;
      return (this.pendingBig ?? BigInt(this.pendingNum)) === (this.exact.get(id) ?? BigInt(this.index.records[id * RECORD_DOUBLES + 1]!));
    }
    const a = this.pendingVal;
    const b = this.pendingCol < 0 ? null : (this.any[id]?.[this.pendingCol] ?? null);
    return a !== null && b !== null && compareValues(a, b) === 0;
  }

  /** Entry `id` takes the record's value (`fresh`: a new key, nothing to keep). */
  store(id: number, fresh: boolean): void {
    if (this.numeric) {
      this.index.records[id * RECORD_DOUBLES + 1] = this.pendingNum;
      if (this.pendingBig !== null) this.exact.set(id, this.pendingBig);
      else if (this.exact.size > 0) this.exact.delete(id);
      return;
    }
    let values = fresh ? undefined : this.any[id];
    if (values === undefined) values = this.any[id] = new Array<ScalarValue | null>(this.columns.length).fill(null);
    if (this.pendingCol >= 0) values[this.pendingCol] = this.pendingVal;
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

import type { JsonExact } from './json-exact.js';

/**
 * Cell canonicalisation shared by the comparison rules: one string per value so rows can be
 * compared, sorted and counted. Integers are exact (bigint-safe); how non-integers are shown is
 * the caller's choice (Pinot's 2-decimal rounding, or 12 significant digits for the oracle).
 */

export type Cell = JsonExact | undefined;

export function isNumeric(v: Cell): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

/** Exact integer text for an integral number or bigint; undefined otherwise. */
export function integerText(v: number | bigint): string | undefined {
  if (typeof v === 'bigint') return v.toString();
  if (Number.isInteger(v)) return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
  return undefined;
}

/**
 * Java's `Math.round(x * 100) / 100.0` (Pinot's compat comparator for FLOAT/DOUBLE columns), as
 * text, with Java's saturation: `Math.round` of anything at or beyond ±2^63 is Long.MAX/MIN_VALUE,
 * so every double beyond about ±9.2e16 becomes ±9.223372036854776E16, and NaN becomes 0. Pinot's
 * result files were written through this rounding (FeatureTest3's 1e46 doubles are stored as
 * `9.223372036854776E16`), so the comparison has to apply it to both sides.
 */
export function round2Text(v: number | bigint): string {
  const x = Number(v) * 100;
  const LONG_MAX = 9223372036854775807;
  let r: number;
  if (Number.isNaN(x)) r = 0;
  else if (x >= LONG_MAX) r = LONG_MAX;
  else if (x <= -LONG_MAX) r = -LONG_MAX;
  else r = Math.floor(x + 0.5);
  const out = r / 100;
  return String(Object.is(out, -0) ? 0 : out);
}

/** A number to 12 significant digits, integral values exactly (5.000000000001 and 5 → "5"). */
export function sigText(v: number | bigint): string {
  const exact = integerText(v);
  if (exact !== undefined) return exact;
  const x = v as number;
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(12)));
}

/** Canonical text of a cell: numbers through `num`, strings JSON-quoted, arrays element-wise. */
export function canonCell(v: Cell, num: (n: number | bigint) => string): string {
  if (v === undefined) return '<missing>';
  if (v === null) return 'null';
  if (isNumeric(v)) return num(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((e) => canonCell(e, num)).join(',')}]`;
  return JSON.stringify(v);
}

/** Exact numeric text: integers exactly, other numbers as JavaScript prints them. */
export function exactText(v: number | bigint): string {
  return integerText(v) ?? String(v);
}

/** Counts of each string (a multiset). */
export function multiset(items: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of items) m.set(s, (m.get(s) ?? 0) + 1);
  return m;
}

/** Items of `sub` missing from `sup` (respecting multiplicity when `counted`). */
export function missingFrom(sub: readonly string[], sup: readonly string[], counted: boolean): string[] {
  const pool = multiset(sup);
  const missing: string[] = [];
  for (const s of sub) {
    const n = pool.get(s) ?? 0;
    if (n === 0) missing.push(s);
    else if (counted) pool.set(s, n - 1);
  }
  return missing;
}

export function sameMultiset(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && missingFrom(a, b, true).length === 0;
}

/** Short text of a row list for reports (first `max` rows). */
export function showRows(rows: readonly (readonly Cell[])[] | undefined, max = 12): string {
  if (rows === undefined) return '(no resultTable)';
  const shown = rows.slice(0, max).map((r) => `[${r.map((c) => canonCell(c, exactText)).join(', ')}]`);
  return `${shown.join(' ')}${rows.length > max ? ` … (${rows.length} rows)` : ''}`;
}

const NUMERIC_TYPES = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE', 'BIG_DECIMAL', 'TIMESTAMP']);

/** Pinot's TIMESTAMP text (`2024-01-02 03:04:05.6`, UTC) → epoch millis; other text unchanged. */
export function timestampMillis(v: string): number | string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?$/.exec(v);
  if (!m) return v;
  return Date.parse(`${m[1]}T${m[2]}.${(m[3] ?? '0').padEnd(3, '0').slice(0, 3)}Z`);
}

/**
 * Type-aware canonical text for the oracle comparisons, driven by the Pinot column type of the
 * response (`columnDataTypes`): numeric columns accept numbers sent as JSON strings
 * (`"-Infinity"`, BIG_DECIMAL `"1.50"`, TIMESTAMP `"2024-01-02 03:04:05.0"` → epoch millis);
 * FLOAT values compare at float precision (7 significant digits); DOUBLE values (Pinot's type for
 * SUM/MIN/MAX/AVG results) at 12 significant digits even when integral, so a double sum of large
 * LONGs agrees whatever the summation order; other non-integers at 12 digits, integers exactly.
 */
export function typedCanon(type: string | undefined): (v: Cell) => string {
  const base = (type ?? '').replace(/_ARRAY$/, '');
  const numeric = NUMERIC_TYPES.has(base);
  const num =
    base === 'FLOAT'
      ? (n: number | bigint): string => (integerText(n) ?? String(Number(Math.fround(Number(n)).toPrecision(7))))
      : base === 'DOUBLE'
        ? (n: number | bigint): string => (Number.isFinite(Number(n)) ? String(Number(Number(n).toPrecision(12))) : String(Number(n)))
        : sigText;
  const one = (v: Cell): Cell => {
    if (!numeric || typeof v !== 'string') return v;
    const t = base === 'TIMESTAMP' ? timestampMillis(v) : v;
    const n = typeof t === 'number' ? t : Number(t);
    return Number.isNaN(n) && t !== 'NaN' ? v : n;
  };
  return (v) => canonCell(Array.isArray(v) ? v.map((e) => one(e) as never) : one(v), num);
}

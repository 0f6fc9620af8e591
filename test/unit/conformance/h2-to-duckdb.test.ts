import { describe, expect, it } from 'vitest';
import { toDuckDb } from '../../conformance/lib/h2-to-duckdb.js';

describe('H2 → DuckDB translation', () => {
  it('turns backtick identifiers into double-quoted ones, leaving string literals alone', () => {
    expect(toDuckDb("SELECT MAX(`Year`) FROM mytable WHERE Dest = '`x`'")).toBe(`SELECT MAX("Year") FROM mytable WHERE Dest = '\`x\`'`);
  });

  it('rewrites the five-element OR idiom into an any-element predicate over the whole list', () => {
    const h2 = "SELECT COUNT(*) FROM mytable WHERE (DivTailNums[1] BETWEEN 'N8315C' AND 'N130DL' OR DivTailNums[2] BETWEEN 'N8315C' AND 'N130DL' OR DivTailNums[3] BETWEEN 'N8315C' AND 'N130DL' OR DivTailNums[4] BETWEEN 'N8315C' AND 'N130DL' OR DivTailNums[5] BETWEEN 'N8315C' AND 'N130DL') AND TaxiOut NOT IN (59, 112)";
    expect(toDuckDb(h2)).toBe("SELECT COUNT(*) FROM mytable WHERE (len(list_filter(DivTailNums, lambda __v: __v BETWEEN 'N8315C' AND 'N130DL')) > 0) AND TaxiOut NOT IN (59, 112)");
  });

  it('keeps a lone element access (1-based in both) and maps ARRAY_CONTAINS and CAST AS LONG', () => {
    expect(toDuckDb('SELECT DivAirports[1] FROM mytable WHERE ARRAY_CONTAINS(DivAirports, 1) OR array_contains(x, 2)')).toBe(
      'SELECT DivAirports[1] FROM mytable WHERE list_contains(DivAirports, 1) OR list_contains(x, 2)',
    );
    expect(toDuckDb('SELECT CAST(a AS LONG) FROM t')).toBe('SELECT CAST(a AS BIGINT) FROM t');
  });

  it('evaluates binary arithmetic in DOUBLE as Pinot does, leaving unary minus and COUNT(*) alone', () => {
    expect(toDuckDb('SELECT COUNT(*) FROM mytable WHERE ArrDelay - CarrierDelay > 0 AND x NOT IN (-19.0, 2)')).toBe(
      'SELECT COUNT(*) FROM mytable WHERE ArrDelay - 0.0 - CarrierDelay > 0 AND x NOT IN (-19.0, 2)',
    );
    expect(toDuckDb('SELECT a * b + 1 FROM t')).toBe('SELECT a * 1.0 * b + 0.0 + 1 FROM t');
  });
});

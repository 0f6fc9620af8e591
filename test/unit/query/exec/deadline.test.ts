import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { Deadline, WORK_UNITS_PER_CHECK } from '../../../../src/query/exec/deadline.js';
import { buildTableSchema } from '../../../../src/config/schema.js';
import { unboundedPerRow } from '../../../../src/query/exec/compile-expr.js';
import { parseSql, planQuery, QueryEngine, QueryError, snapshotRuntime, writeBrokerResponse } from '../../../../src/query/index.js';
import type { BoundExpr } from '../../../../src/query/plan/bound-expr.js';
import { buildFixture } from '../query-fixtures.js';
import type { BrokerJson, QueryFixture } from '../query-fixtures.js';

const NAMES: PinotSchema = {
  schemaName: 'names',
  dimensionFieldSpecs: [
    { name: 'name', dataType: 'STRING' },
    { name: 'code', dataType: 'STRING' },
  ],
  metricFieldSpecs: [{ name: 'n', dataType: 'INT' }],
};

/** A clock that moves one millisecond every time it is read: time is the amount of checking done. */
function steppingClock(): () => number {
  let t = 0;
  return () => t++;
}

describe('Deadline', () => {
  it('reads the clock once per WORK_UNITS_PER_CHECK units and throws once past the deadline', () => {
    let reads = 0;
    const d = new Deadline(3, () => reads++, () => new QueryError('EXECUTION_TIMEOUT', { timeoutMs: 3, processed: 0, total: 1 }));
    for (let i = 0; i < WORK_UNITS_PER_CHECK * 3; i++) d.tick();
    expect(reads).toBe(3);
    d.tick(WORK_UNITS_PER_CHECK);
    const err = (() => {
      try {
        d.tick(WORK_UNITS_PER_CHECK);
      } catch (e) {
        return e as QueryError;
      }
    })();
    expect(err?.errorCode).toBe(250);
  });
});

describe('which expressions tick the deadline per evaluation', () => {
  const schema = buildTableSchema(NAMES);
  const bound = (sql: string) => (planQuery(parseSql(sql), schema, 'names') as { select: readonly BoundExpr[] }).select[0]!;
  it('leaves numeric expressions to the per-block check and ticks on text, arrays and patterns', () => {
    // Numeric work per row is bounded, so a 16,384-row block of it is; the executor checks after each block.
    expect(unboundedPerRow(bound('SELECT n * 2 + 1 FROM names'))).toBe(false);
    expect(unboundedPerRow(bound("SELECT CASE WHEN n > 3 THEN n ELSE 0 END FROM names"))).toBe(false);
    expect(unboundedPerRow(bound('SELECT n FROM names'))).toBe(false);
    expect(unboundedPerRow(bound("SELECT n = 3 FROM names"))).toBe(false);
    expect(unboundedPerRow(bound("SELECT length(name) FROM names"))).toBe(true);
    expect(unboundedPerRow(bound("SELECT concat(name, code, '-') FROM names"))).toBe(true);
    expect(unboundedPerRow(bound("SELECT name LIKE '%a%' FROM names"))).toBe(true);
  });
});

describe('queries that cannot freeze the server', () => {
  // 20 short rows that make a backtracking engine explore 2^n paths per row.
  const rows = Array.from({ length: 20 }, (_, i) => [`${'a'.repeat(30 + i)}!`, `c${i % 3}`, i]);
  let dict: QueryFixture;
  let raw: QueryFixture;
  let wide: QueryFixture;
  beforeAll(async () => {
    dict = await buildFixture(NAMES, rows, { segmentRows: 10 });
    raw = await buildFixture(NAMES, rows, { segmentRows: 10, indexing: { noDictionaryColumns: ['name', 'code'] } });
    wide = await buildFixture(NAMES, Array.from({ length: 5_000 }, (_, i) => [`name${i}`, `c${i % 7}`, i]), { segmentRows: 5_000 });
  });
  afterAll(async () => {
    await dict.cleanup();
    await raw.cleanup();
    await wide.cleanup();
  });

  it('answers catastrophic regexes correctly under a small timeout (dictionary and raw columns)', async () => {
    for (const f of [dict, raw]) {
      const like = await f.query("SELECT count(*) FROM names WHERE REGEXP_LIKE(name, '(a+)+$')", 'timeoutMs=1000');
      expect(like.exceptions).toEqual([]);
      expect(like.resultTable!.rows).toEqual([[0]]);
      const anchored = await f.query("SELECT count(*) FROM names WHERE REGEXP_LIKE(name, '^(a|aa)+!$')", 'timeoutMs=1000');
      expect(anchored.resultTable!.rows).toEqual([[20]]);
      const replaced = await f.query("SELECT REGEXP_REPLACE(name, '(a*)*b', 'X') FROM names WHERE n = 0", 'timeoutMs=1000');
      expect(replaced.resultTable!.rows).toEqual([[`${'a'.repeat(30)}!`]]);
      const extracted = await f.query("SELECT regexpExtract(name, '(a+)+(!)', 2) FROM names WHERE n = 1", 'timeoutMs=1000');
      expect(extracted.resultTable!.rows).toEqual([['!']]);
      const like2 = await f.query("SELECT count(*) FROM names WHERE name LIKE '%a%a%a%a%a%a%a%a%a%a%b'", 'timeoutMs=1000');
      expect(like2.resultTable!.rows).toEqual([[0]]);
    }
  });

  it('answers Java-only regex syntax with a clear 200 error', async () => {
    const r = await dict.query("SELECT count(*) FROM names WHERE REGEXP_LIKE(name, '(a)\\1')");
    expect(r.exceptions[0]!.errorCode).toBe(200);
    expect(r.exceptions[0]!.message).toMatch(/regexp_like: invalid regular expression .*RE2.*backreferences/s);
    const t = await dict.query("SELECT count(*) FROM names WHERE TEXT_MATCH(name, '/(?=a)a/')");
    expect(t.exceptions[0]!.errorCode).toBe(200);
    expect(t.exceptions[0]!.message).toContain('lookahead');
  });

  it('refuses to build huge strings per row with a clear 200 error', async () => {
    for (const sql of ["SELECT lpad(name, 500000000, 'x') FROM names", "SELECT repeat(repeat(name, 100000), 100000) FROM names"]) {
      const r = await dict.query(sql);
      expect(r.exceptions[0]!.errorCode).toBe(200);
      expect(r.exceptions[0]!.message).toContain('at most 10000000');
    }
  });

  it('answers 250 when the deadline passes in the middle of a block of rows', async () => {
    // One segment, one block: the executor's own checks (between segments and blocks) read the
    // clock a handful of times; only the per-row checks can see the deadline pass.
    const engine = new QueryEngine(
      { resolve: () => ({ name: 'names', schema: wide.schema, snapshot: () => snapshotRuntime({ queryableSegments: () => ({ sealed: wide.sealed, consuming: wide.consuming }) }) }) },
      { clock: steppingClock() },
    );
    const run = async (sql: string): Promise<BrokerJson> => JSON.parse(writeBrokerResponse(await engine.query(sql, 'timeoutMs=20'))) as BrokerJson;
    expect((await run('SELECT count(*) FROM names')).resultTable!.rows).toEqual([[5000]]);
    for (const sql of [
      "SELECT count(*) FROM names WHERE concat(name, code, '-') <> 'x'",
      "SELECT sum(length(concat(name, code)) * 2 + 1) FROM names",
      "SELECT upper(name) FROM names WHERE n >= 0 ORDER BY lower(name) LIMIT 5",
      "SELECT count(*) FROM names WHERE REGEXP_LIKE(name, 'name.*9$')",
    ]) {
      const r = await run(sql);
      expect(r.exceptions, sql).toHaveLength(1);
      expect(r.exceptions[0]!.errorCode).toBe(250);
      expect(r.exceptions[0]!.message).toMatch(/timed out after 20 ms/);
      expect(r.resultTable).toBeUndefined();
    }
  });
});

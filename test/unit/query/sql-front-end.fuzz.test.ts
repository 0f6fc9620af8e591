import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executePlan, parseSql, planQuery, QUERY_ERROR_CODES, QueryError, SCALAR_FUNCTIONS, snapshotRuntime, writeBrokerResponse } from '../../../src/query/index.js';
import { buildFixture, EVENTS_SCHEMA, eventRows } from './query-fixtures.js';
import type { QueryFixture } from './query-fixtures.js';

/**
 * Property test of the SQL front end (tokenizer, parser, binder, planner) and execution over a
 * small real table (two sealed segments and a consuming one): for arbitrary text and for
 * grammar-shaped SQL, every stage throws only `QueryError`, no error is a JavaScript fault in
 * disguise, every query ends (each runs under a deadline), and the broker response is well formed.
 *
 * `npm test` runs `SHARDTABLE_FUZZ_RUNS` cases per property (default 300); `npm run fuzz -- --runs
 * 20000 [--seed 42]` runs longer (docs/operations.md). A failure prints the seed and the shrunk SQL.
 */
const RUNS = Number(process.env.SHARDTABLE_FUZZ_RUNS ?? 300);
const SEED = process.env.SHARDTABLE_FUZZ_SEED === undefined ? undefined : Number(process.env.SHARDTABLE_FUZZ_SEED);
const PARAMS = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };
/** Per-query timeout: small, so a query that would run away ends with 250 instead. */
const TIMEOUT_MS = 2_000;

const VALID_CODES = new Set<number>(Object.values(QUERY_ERROR_CODES));
/**
 * Messages that mean a bug reached the user as an error: a JS fault instead of a query problem,
 * or an error wrapped twice (its Pinot name repeated).
 */
const JS_FAULT = /Cannot read propert|is not a function|is not iterable|undefined is not|null is not|Maximum call stack|Invalid array length|is not defined|Error:\n[A-Za-z]*Error:\n/;

const COLUMNS = ['id', 'country', 'device', 'tags', 'scores', 'active', 'payload', 'raw', 'big', 'rank', 'clicks', 'price', 'amount', 'ts'];
const SCALARS = SCALAR_FUNCTIONS.names();
const AGGREGATIONS = ['count', 'sum', 'min', 'max', 'avg', 'distinctcount', 'percentile', 'percentile95', 'minmaxrange', 'distinctcounthll', 'summv', 'countmv'];
const PATTERNS = ['(a+)+$', '(a*)*b', '^n.*', '.*', 'NL|DE', '\\d+', '(?i)nl', '', '(u)(\\d)', '^(a|aa)+$', '(a)\\1', '(?=x)', '[', 'a{1001}'];
const LIKES = ['%', '_', 'N%', '%a%a%a%b', '%\\%', "''", 'x_y%'];

const ident = fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...COLUMNS).map((c) => (c === 'ts' ? '"ts"' : c)) }, { weight: 1, arbitrary: fc.constant('nope') });
const literal = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d)),
  fc.constantFrom("'NL'", "'ios'", "'a'", "''", "'2024-01-01'", "'$.user.name'", "'{\"a\":1}'", 'NULL', 'true', 'false', '9223372036854775807', '-0', '1e400'),
  fc.string({ maxLength: 6 }).map((s) => `'${s.replace(/'/g, "''")}'`),
);

/**
 * Grammar-shaped expressions: values (columns, literals, arithmetic, scalar calls, CASE, CAST) and
 * predicates (comparisons, IN, BETWEEN, LIKE, IS NULL, REGEXP_LIKE, TEXT_MATCH, AND/OR/NOT),
 * parenthesised so that most of them parse and reach the binder and the executor.
 */
const { value, pred } = fc.letrec<{ value: string; pred: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    ident,
    ident,
    literal,
    fc.tuple(tie('value'), fc.constantFrom('+', '-', '*', '/', '%', '||'), tie('value')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(fc.constantFrom(...SCALARS), fc.array(tie('value'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    fc.tuple(tie('value'), fc.constantFrom(...PATTERNS), literal).map(([a, p, r]) => `regexpReplace(${a}, '${p.replace(/'/g, "''")}', ${r})`),
    fc.tuple(tie('value'), fc.constantFrom(...PATTERNS)).map(([a, p]) => `regexpExtract(${a}, '${p.replace(/'/g, "''")}')`),
    fc.tuple(tie('pred'), tie('value'), tie('value')).map(([w, t, e]) => `CASE WHEN ${w} THEN ${t} ELSE ${e} END`),
    fc.tuple(tie('value'), fc.constantFrom('INT', 'LONG', 'DOUBLE', 'STRING', 'BOOLEAN', 'TIMESTAMP', 'BYTES', 'JSON', 'NOPE')).map(([a, t]) => `CAST(${a} AS ${t})`),
  ),
  pred: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(tie('value'), fc.constantFrom('=', '<>', '<', '<=', '>', '>='), tie('value')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(ident, fc.constantFrom('=', '<>', '<', '>='), literal).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('pred'), fc.constantFrom('AND', 'OR'), tie('pred')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    tie('pred').map((p) => `(NOT ${p})`),
    fc.tuple(tie('value'), fc.constantFrom(...PATTERNS)).map(([a, p]) => `REGEXP_LIKE(${a}, '${p.replace(/'/g, "''")}')`),
    fc.tuple(tie('value'), fc.boolean(), fc.constantFrom(...LIKES)).map(([a, not, p]) => `(${a} ${not ? 'NOT ' : ''}LIKE '${p.replace(/'/g, "''")}')`),
    fc.tuple(tie('value'), fc.boolean(), fc.array(literal, { minLength: 1, maxLength: 4 })).map(([a, not, vs]) => `(${a} ${not ? 'NOT ' : ''}IN (${vs.join(', ')}))`),
    fc.tuple(tie('value'), literal, literal).map(([a, lo, hi]) => `(${a} BETWEEN ${lo} AND ${hi})`),
    fc.tuple(tie('value'), fc.boolean()).map(([a, not]) => `(${a} IS ${not ? 'NOT ' : ''}NULL)`),
    fc.tuple(ident, fc.constantFrom("'java AND go*'", "'/(a+)+/'", "'\"a b\"'", "'NOT (x'", "'g?lang OR /[a-/'", "'/(a)\\1/'")).map(([c, q]) => `TEXT_MATCH(${c}, ${q})`),
  ),
}));

const aggregation = fc.tuple(fc.constantFrom(...AGGREGATIONS), fc.oneof(ident, value)).map(([f, a]) => (f === 'percentile' ? `${f}(${a}, 50)` : `${f}(${a})`));
const selectItem = fc.oneof({ weight: 3, arbitrary: ident }, { weight: 3, arbitrary: value }, { weight: 1, arbitrary: aggregation }, { weight: 1, arbitrary: fc.constant('count(*)') }, { weight: 1, arbitrary: pred });

/** `arb` in one case out of `1 + rest`, else null. */
const sometimes = <T>(arb: fc.Arbitrary<T>, rest = 3): fc.Arbitrary<T | null> => fc.oneof({ weight: rest, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

const query = fc
  .record({
    distinct: sometimes(fc.constant(true), 9),
    select: fc.oneof(
      { weight: 1, arbitrary: fc.constant('*') },
      { weight: 8, arbitrary: fc.array(fc.tuple(selectItem, sometimes(fc.constantFrom('a', 'b', '"c d"'))), { minLength: 1, maxLength: 3 }).map((xs) => xs.map(([e, a]) => (a ? `${e} AS ${a}` : e)).join(', ')) },
    ),
    table: fc.oneof({ weight: 12, arbitrary: fc.constant('events') }, { weight: 1, arbitrary: fc.constantFrom('EVENTS_REALTIME', 'events_OFFLINE', 'nope') }),
    where: sometimes(pred, 1),
    groupBy: sometimes(fc.array(fc.oneof(ident, value, fc.constantFrom('1', '2', 'a')), { minLength: 1, maxLength: 2 })),
    having: sometimes(fc.oneof(pred, aggregation.map((a) => `${a} > 1`)), 6),
    orderBy: sometimes(fc.array(fc.tuple(fc.oneof(ident, value, aggregation, fc.constantFrom('1', 'a')), fc.constantFrom('', ' ASC', ' DESC')), { minLength: 1, maxLength: 2 }), 2),
    limit: sometimes(fc.oneof({ weight: 6, arbitrary: fc.nat(20).map(String) }, { weight: 1, arbitrary: fc.constantFrom('1000001', '5, 3', '2 OFFSET 1') }), 1),
    set: sometimes(fc.constantFrom('SET timeoutMs = 100; ', 'SET numGroupsLimit = 2; ', 'SET timeoutMs = -1; ', 'SET foo = bar; '), 9),
  })
  .map((q) =>
    [
      q.set ?? '',
      `SELECT ${q.distinct ? 'DISTINCT ' : ''}${q.select} FROM ${q.table}`,
      q.where ? ` WHERE ${q.where}` : '',
      q.groupBy ? ` GROUP BY ${q.groupBy.join(', ')}` : '',
      q.having ? ` HAVING ${q.having}` : '',
      q.orderBy ? ` ORDER BY ${q.orderBy.map(([e, d]) => e + d).join(', ')}` : '',
      q.limit ? ` LIMIT ${q.limit}` : '',
    ].join(''),
  );

/** Text that looks a little like SQL: keywords, punctuation and noise in any order. */
const sqlish = fc
  .array(fc.oneof(fc.constantFrom('SELECT', 'FROM', 'WHERE', 'GROUP BY', 'ORDER BY', 'LIMIT', 'AND', 'OR', 'NOT', 'IN', 'CASE', 'WHEN', 'END', 'CAST', 'AS', '(', ')', ',', '*', "'", '"', '`', '--', '/*', ';', 'SET', 'OPTION', 'events', 'count(*)', '1'), ident, literal, value, fc.string({ maxLength: 4 })), { maxLength: 25 })
  .map((parts) => parts.join(' '));

describe('SQL front end under fuzzing', () => {
  let f: QueryFixture;
  beforeAll(async () => {
    f = await buildFixture(EVENTS_SCHEMA, eventRows(30), { segmentRows: 10 });
  });
  afterAll(() => f.cleanup());

  /** Runs every stage by hand: only `QueryError` may come out, and never a JS fault in disguise. */
  async function stagesThrowOnlyQueryErrors(sql: string): Promise<void> {
    try {
      const stmt = parseSql(sql);
      if (stmt.table.name.replace(/_REALTIME$/i, '').toLowerCase() !== 'events') return;
      const plan = planQuery(stmt, f.schema, 'events', new Map([['timeoutMs', String(TIMEOUT_MS)]]));
      const segments = snapshotRuntime({ queryableSegments: () => ({ sealed: f.sealed, consuming: f.consuming }) });
      await executePlan(plan, segments, Date.now() + Math.min(plan.options.timeoutMs, TIMEOUT_MS));
    } catch (err) {
      if (!(err instanceof QueryError)) throw new Error(`non-QueryError for ${JSON.stringify(sql)}: ${(err as Error)?.stack ?? String(err)}`);
      expect(err.message, sql).not.toMatch(JS_FAULT);
    }
  }

  /** The broker response through the engine: JSON, Pinot's codes, a result table or exceptions. */
  async function answersWellFormed(sql: string): Promise<void> {
    const json = JSON.parse(await f.raw(sql, `timeoutMs=${TIMEOUT_MS}`)) as {
      resultTable?: { dataSchema: { columnNames: string[]; columnDataTypes: string[] }; rows: unknown[][] };
      exceptions: { errorCode: number; message: string }[];
      numRowsResultSet: number;
    };
    expect(Array.isArray(json.exceptions), sql).toBe(true);
    if (json.exceptions.length > 0) {
      expect(json.resultTable, sql).toBeUndefined();
      for (const e of json.exceptions) {
        expect(VALID_CODES.has(e.errorCode), `${sql} → ${e.errorCode}`).toBe(true);
        expect(e.message, sql).not.toMatch(JS_FAULT);
      }
      return;
    }
    const t = json.resultTable!;
    expect(t.dataSchema.columnNames.length, sql).toBe(t.dataSchema.columnDataTypes.length);
    for (const row of t.rows) expect(row.length, sql).toBe(t.dataSchema.columnNames.length);
    expect(json.numRowsResultSet, sql).toBe(t.rows.length);
  }

  it('grammar-shaped SQL: only QueryErrors, every query ends, well-formed responses', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (sql) => {
        await stagesThrowOnlyQueryErrors(sql);
        await answersWellFormed(sql);
      }),
      PARAMS,
    );
  });

  it('arbitrary and SQL-ish text: only QueryErrors and well-formed responses', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 }), sqlish), async (sql) => {
        await stagesThrowOnlyQueryErrors(sql);
        await answersWellFormed(sql);
      }),
      PARAMS,
    );
  });

  it('writes a well-formed response for a query error raised by every stage', async () => {
    for (const sql of ['', 'SELEC', 'SELECT nope FROM events', 'SELECT count(*) FROM nope', "SELECT count(*) FROM events WHERE REGEXP_LIKE(country, '(a)\\1')"]) {
      const body = JSON.parse(writeBrokerResponse(await f.engine.query(sql))) as { exceptions: unknown[] };
      expect(body.exceptions, sql).toHaveLength(1);
    }
  });
});

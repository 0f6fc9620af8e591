import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../src/config/data-type.js';
import type { PinotSchema } from '../../../src/config/schema.js';
import { mulberry32 } from '../../helpers/random.js';
import { buildFixture } from './query-fixtures.js';
import type { QueryFixture } from './query-fixtures.js';

/**
 * JSON_MATCH on sealed segments with a JSON index, sealed segments without one and consuming
 * segments, against a reference evaluator written here for the generated document shape (it
 * enumerates array-element choices itself instead of flattening), and on Pinot's documented
 * examples.
 */
const SCHEMA: PinotSchema = { schemaName: 'docs', dimensionFieldSpecs: [{ name: 'id', dataType: 'INT' }, { name: 'payload', dataType: 'JSON' }] };

interface Doc {
  a?: string | number | null;
  b?: { c?: string | null };
  tags?: string[];
  items?: { k?: string | null; v?: number | null }[];
}

const WORDS = ['x', 'y', 'z', 'us', 'ca'];

function genDoc(r: () => number): Doc | null {
  if (r() < 0.08) return null;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const d: Doc = {};
  if (r() < 0.8) d.a = r() < 0.2 ? null : r() < 0.3 ? Math.floor(r() * 5) : pick(WORDS);
  if (r() < 0.6) d.b = r() < 0.2 ? {} : { c: r() < 0.2 ? null : pick(WORDS) };
  if (r() < 0.7) d.tags = Array.from({ length: Math.floor(r() * 4) }, () => pick(WORDS));
  if (r() < 0.7) d.items = Array.from({ length: Math.floor(r() * 4) }, () => ({ ...(r() < 0.85 ? { k: r() < 0.1 ? null : pick(WORDS) } : {}), ...(r() < 0.85 ? { v: r() < 0.1 ? null : Math.floor(r() * 10) / 2 } : {}) }));
  return d;
}

/** Reference: the doc's records as (tag index, item index) choices, per Pinot's unnesting. */
function choices(d: Doc): { t?: number; i?: number }[] {
  const present = (x: unknown): boolean => x !== null && x !== undefined;
  const tags = (d.tags ?? []).map((_, i) => i);
  const items = (d.items ?? []).map((_, i) => i).filter((i) => present(d.items![i]!.k) || present(d.items![i]!.v));
  const out: { t?: number; i?: number }[] = [];
  for (const t of tags.length ? tags : [undefined]) for (const i of items.length ? items : [undefined]) out.push({ ...(t === undefined ? {} : { t }), ...(i === undefined ? {} : { i }) });
  const any = present(d.a) || present(d.b?.c) || tags.length > 0 || items.length > 0;
  return any ? out : [];
}

type Path = (d: Doc, c: { t?: number; i?: number }) => unknown;
const PATHS: Record<string, Path> = {
  '$.a': (d) => d.a,
  '$.b.c': (d) => d.b?.c,
  '$.tags[*]': (d, c) => (c.t === undefined ? undefined : d.tags![c.t]),
  '$.tags[0]': (d, c) => (c.t === 0 ? d.tags![0] : undefined),
  '$.items[*].k': (d, c) => (c.i === undefined ? undefined : d.items![c.i]!.k),
  '$.items[*].v': (d, c) => (c.i === undefined ? undefined : d.items![c.i]!.v),
  '$.items[1].v': (d, c) => (c.i === 1 ? d.items![1]!.v : undefined),
  '$.missing': () => undefined,
};
const text = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

interface Pred {
  sql: string;
  test: (d: Doc, c: { t?: number; i?: number }) => boolean;
}

function genPred(r: () => number): Pred {
  const pathNames = Object.keys(PATHS);
  const name = pathNames[Math.floor(r() * pathNames.length)]!;
  const get = PATHS[name]!;
  const kind = r();
  const numeric = name.endsWith('.v');
  const word = numeric ? String(Math.floor(r() * 10) / 2) : WORDS[Math.floor(r() * WORDS.length)]!;
  const lit = numeric ? word : `''${word}''`;
  if (kind < 0.45) return { sql: `"${name}" = ${lit}`, test: (d, c) => text(get(d, c)) === word };
  if (kind < 0.65) {
    const other = WORDS[Math.floor(r() * WORDS.length)]!;
    return { sql: `"${name}" IN (${lit}, ''${other}'')`, test: (d, c) => [word, other].includes(text(get(d, c)) as string) };
  }
  if (kind < 0.8) return { sql: `"${name}" IS NOT NULL`, test: (d, c) => text(get(d, c)) !== undefined };
  const bound = Math.floor(r() * 10) / 2;
  return { sql: `"${numeric ? name : '$.items[*].v'}" >= ${bound}`, test: (d, c) => { const v = text((numeric ? get : PATHS['$.items[*].v']!)(d, c)); return v !== undefined && Number(v) >= bound; } };
}

interface Filter {
  sql: string;
  matches: (d: Doc | null) => boolean;
}

function genFilter(r: () => number): Filter {
  const recordsOf = (d: Doc | null) => (d === null ? [] : choices(d).map((c) => ({ d, c })));
  const top = r();
  if (top < 0.25) {
    // Exclusive forms: the doc matches when no record matches the positive form.
    const p = genPred(r);
    const m = /^(".*?") (= |IN |IS NOT NULL)(.*)$/.exec(p.sql);
    if (m && m[2] !== '>= ') {
      const neg = m[2] === '= ' ? `${m[1]} != ${m[3]}` : m[2] === 'IN ' ? `${m[1]} NOT IN ${m[3]}` : `${m[1]} IS NULL`;
      return { sql: neg, matches: (d) => !recordsOf(d).some(({ d: dd, c }) => p.test(dd, c)) };
    }
  }
  const n = 1 + Math.floor(r() * 3);
  const preds = Array.from({ length: n }, () => genPred(r));
  const and = r() < 0.6;
  const sql = preds.map((p) => p.sql).join(and ? ' AND ' : ' OR ');
  return { sql, matches: (d) => recordsOf(d).some(({ d: dd, c }) => (and ? preds.every((p) => p.test(dd, c)) : preds.some((p) => p.test(dd, c)))) };
}

const N = 600;
const docs: (Doc | null)[] = [];
const rand = mulberry32(19);
for (let i = 0; i < N; i++) docs.push(genDoc(rand));
const rows: (CellValue | null)[][] = docs.map((d, i) => [i, d === null ? null : JSON.stringify(d)]);

let indexed: QueryFixture;
let plain: QueryFixture;

beforeAll(async () => {
  indexed = await buildFixture(SCHEMA, rows, { segmentRows: 200, indexing: { jsonIndexColumns: ['payload'], nullHandlingEnabled: true } });
  // Without the index, and stored raw: each row's text is flattened (the indexed table's DICT column tests each distinct value).
  plain = await buildFixture(SCHEMA, rows, { segmentRows: 200, indexing: { nullHandlingEnabled: true, noDictionaryColumns: ['payload'] } });
});
afterAll(async () => {
  await indexed?.cleanup();
  await plain?.cleanup();
});

async function ids(f: QueryFixture, filter: string): Promise<number[]> {
  const res = await f.query(`SELECT id FROM docs WHERE JSON_MATCH(payload, '${filter}') ORDER BY id LIMIT 100000`);
  expect(res.exceptions, filter).toEqual([]);
  return res.resultTable!.rows.map((r) => r[0] as number);
}

describe('JSON_MATCH', () => {
  it('seals segments with a JSON index and without one, and keeps one consuming', () => {
    expect(indexed.sealed.map((s) => s.column('payload').jsonIndex !== null)).toEqual([true, true]);
    expect(plain.sealed.map((s) => s.column('payload').jsonIndex)).toEqual([null, null]);
    expect(indexed.consuming).toHaveLength(1);
  });

  it('matches the reference evaluator on 150 generated filters, indexed and not, sealed and consuming', async () => {
    const r = mulberry32(7);
    let nonEmpty = 0;
    for (let q = 0; q < 150; q++) {
      const f = genFilter(r);
      const want = docs.flatMap((d, i) => (f.matches(d) ? [i] : []));
      if (want.length > 0 && want.length < N) nonEmpty++;
      expect(await ids(indexed, f.sql), f.sql).toEqual(want);
      expect(await ids(plain, f.sql), f.sql).toEqual(want);
    }
    expect(nonEmpty).toBeGreaterThan(80);
  });

  it('answers from the index on sealed segments (no entries scanned there) and says so in EXPLAIN', async () => {
    const a = await indexed.query(`SELECT COUNT(*) FROM docs WHERE JSON_MATCH(payload, '"$.a" = ''x''')`);
    const b = await plain.query(`SELECT COUNT(*) FROM docs WHERE JSON_MATCH(payload, '"$.a" = ''x''')`);
    expect(a.resultTable!.rows).toEqual(b.resultTable!.rows);
    expect(a.numEntriesScannedInFilter).toBe(200); // the consuming segment only
    expect(b.numEntriesScannedInFilter).toBe(600);
    const plan = await indexed.query(`EXPLAIN PLAN FOR SELECT id FROM docs WHERE JSON_MATCH(payload, '"$.a" = ''x''')`);
    expect(JSON.stringify(plan.resultTable!.rows)).toContain('FILTER_JSON_INDEX(indexLookUp:json_index,operator:JSON_MATCH');
  });

  it('refuses bad filters with Pinot\'s message', async () => {
    for (const [filter, why] of [
      [`"$.a" = `, /Invalid json match filter/],
      [`a.b = ''x'' AND "$.a" != ''y''`, /allowed only as the whole filter/],
      [`''x'' = "$.a"`, /left-hand side must be a JSON path/],
      [`"$.a[x]" = 1`, /array index 'x'/],
      [`NOT "$.a" = 1`, /NOT is not supported/],
    ] as const) {
      const res = await indexed.query(`SELECT id FROM docs WHERE JSON_MATCH(payload, '${filter}')`);
      expect(res.exceptions[0]?.message, filter).toMatch(why);
    }
    const res = await indexed.query(`SELECT id FROM docs WHERE JSON_MATCH(payload)`);
    expect(res.exceptions[0]?.message).toMatch(/json_match expects 2 arguments/);
  });
});

describe("JSON_MATCH on Pinot's documented examples", () => {
  const PERSONS = [
    { name: 'adam', age: 30, country: 'us', addresses: [{ number: 112, street: 'main st', country: 'us' }, { number: 2, street: 'second st', country: 'us' }, { number: 3, street: 'third st', country: 'ca' }] },
    { name: 'bob', age: 25, country: 'ca', addresses: [{ number: 7, street: 'main st', country: 'ca' }], phone: '555' },
    null,
    { name: 'carl', age: 40, skills: ['english', 'programming'] },
  ];
  let f: QueryFixture;
  beforeAll(async () => {
    const schema: PinotSchema = { schemaName: 'people', dimensionFieldSpecs: [{ name: 'id', dataType: 'INT' }, { name: 'person', dataType: 'STRING' }] };
    // Two copies: rows 0-3 sealed with the index, rows 4-7 consuming.
    const all = [...PERSONS, ...PERSONS].map((p, i) => [i, p === null ? null : JSON.stringify(p)]);
    f = await buildFixture(schema, all, { segmentRows: 4, indexing: { jsonIndexColumns: ['person'] } });
  });
  afterAll(async () => f?.cleanup());

  const cases: [string, number[]][] = [
    [`"$.name" = ''adam''`, [0]],
    [`"$.age" = 30`, [0]],
    [`"$.addresses[*].number" = 112`, [0]],
    [`"$.addresses[*].street" = ''main st'' AND "$.addresses[*].country" = ''ca''`, [1]],
    [`"$.addresses[*].street" = ''main st'' AND "$.country" = ''us''`, [0]],
    [`"$.addresses[0].number" = 112`, [0]],
    [`"$.addresses[1].country" = ''ca''`, []],
    [`"$.addresses[*].country" = ''ca'' OR "$.skills[*]" = ''english''`, [0, 1, 3]],
    [`"$.phone" IS NULL`, [0, 2, 3]],
    [`"$.phone" IS NOT NULL`, [1]],
    [`"$.addresses[*].country" != ''us''`, [1, 2, 3]],
    [`"$.name" NOT IN (''adam'', ''bob'')`, [2, 3]],
    [`"$.name" IN (''adam'', ''carl'')`, [0, 3]],
    [`"$.age" > 25 AND "$.age" <= 40`, [0, 3]],
    [`"$.skills[1]" = ''programming''`, [3]],
    [`name = ''bob''`, [1]],
  ];
  it.each(cases)('%s', async (filter, want) => {
    const got = await f.query(`SELECT id FROM people WHERE JSON_MATCH(person, '${filter}') ORDER BY id LIMIT 100`);
    expect(got.exceptions).toEqual([]);
    expect(got.resultTable!.rows.map((r) => r[0])).toEqual([...want, ...want.map((x) => x + 4)]);
  });
});

import { mulberry32 } from '../../../src/util/random.js';
import type { PinotDataType, PinotField, PinotSchemaJson } from './pinot-schema.js';

/**
 * Seeded, repeatable differential testing: a random Pinot schema with every data type (single- and
 * multi-value, dimensions and metrics), random rows with nulls, and random queries from a small
 * grammar, rendered both as Pinot SQL (for shardtable) and as DuckDB SQL (for the oracle, loaded
 * with the rows as Pinot stores them). Same seed → same schema, rows and queries.
 */

/** A seeded PRNG (mulberry32) with the draws the generators need. */
export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  sample<T>(items: readonly T[], n: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]!);
    return out;
  }
}

const WORDS = ['alpha', 'alpine', 'beta', 'bet', 'gamma', 'Gamma', 'delta', 'epsilon', 'eta', 'zeta', 'a_b', '50%off'];
const HEX = ['00', '01a0bc', 'deadbeef', 'ff', 'd54d0507'];
const BIG = 9007199254740993n; // 2^53 + 1: not representable as a double
/** FLOAT values, mostly exactly representable, a few that print differently as float/double. */
const FLOATS = [-2.5, -1, 0, 0.25, 0.5, 1.5, 3.75, 12.1, 24.1, 100.5];
const DOUBLES = [-3.5, -1.25, 0, 0.1, 0.2, 2.5, 7.125, 263.1, 1e10, -1e-3];

export interface GeneratedTable {
  readonly name: string;
  readonly schema: PinotSchemaJson;
  readonly fields: PinotField[];
  /** Records as produced (JSON text, LONG beyond 2^53 written exactly). */
  readonly records: Record<string, unknown>[];
  readonly jsonLines: string[];
}

interface Column {
  readonly name: string;
  readonly type: PinotDataType;
  readonly kind: 'dimension' | 'metric' | 'dateTime';
  readonly sv: boolean;
}

/** Every type at least once; a random second copy of some; MV forms of the numeric and STRING types. */
function randomColumns(rng: Rng): Column[] {
  const cols: Column[] = [];
  const add = (type: PinotDataType, kind: Column['kind'], sv: boolean): void => {
    cols.push({ name: `c${cols.length}_${type.toLowerCase()}${sv ? '' : '_mv'}`, type, kind, sv });
  };
  const svTypes: PinotDataType[] = ['INT', 'LONG', 'FLOAT', 'DOUBLE', 'STRING', 'BOOLEAN', 'BYTES', 'JSON'];
  for (const t of svTypes) add(t, 'dimension', true);
  for (const t of ['INT', 'LONG', 'FLOAT', 'DOUBLE'] as const) add(t, 'metric', true);
  add('BIG_DECIMAL', 'metric', true);
  add('TIMESTAMP', 'dateTime', true);
  for (const t of ['INT', 'LONG', 'FLOAT', 'DOUBLE', 'STRING'] as const) add(t, 'dimension', false);
  for (const t of rng.sample(['INT', 'LONG', 'DOUBLE', 'STRING'] as const, 2)) add(t, 'dimension', rng.chance(0.7));
  return cols;
}

function randomScalar(rng: Rng, type: PinotDataType): unknown {
  switch (type) {
    case 'INT':
      return rng.chance(0.05) ? rng.pick([2147483647, -2147483647]) : rng.int(-20, 20);
    case 'LONG':
      return rng.chance(0.2) ? BIG + BigInt(rng.int(0, 3)) : BigInt(rng.int(-50, 50));
    case 'FLOAT':
      return rng.pick(FLOATS);
    case 'DOUBLE':
      return rng.pick(DOUBLES);
    case 'STRING':
      return rng.pick(WORDS);
    case 'BOOLEAN':
      return rng.chance(0.5);
    case 'BYTES':
      return rng.pick(HEX);
    case 'JSON':
      return { k: rng.int(0, 3), s: rng.pick(WORDS) };
    case 'BIG_DECIMAL':
      return `${rng.int(-99, 99)}.${rng.int(0, 99).toString().padStart(2, '0')}`;
    case 'TIMESTAMP':
      return 1_704_067_200_000 + rng.int(0, 20) * 3_600_000;
  }
}

/** JSON text with bigint written as exact digits. */
export function jsonExactText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `__BIG__${v.toString()}__` : v)).replace(/"__BIG__(-?\d+)__"/g, '$1');
}

export function generateTable(seed: number, rows: number): GeneratedTable {
  const rng = new Rng(seed);
  const cols = randomColumns(rng);
  const name = `diff_${seed}`;
  const spec = (c: Column): Record<string, unknown> => ({ name: c.name, dataType: c.type, ...(c.sv ? {} : { singleValueField: false }) });
  const schema: PinotSchemaJson = {
    schemaName: name,
    dimensionFieldSpecs: cols.filter((c) => c.kind === 'dimension').map(spec),
    metricFieldSpecs: cols.filter((c) => c.kind === 'metric').map(spec),
    dateTimeFieldSpecs: cols.filter((c) => c.kind === 'dateTime').map((c) => ({ ...spec(c), format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' })),
  };
  const fields: PinotField[] = cols.map((c) => ({ name: c.name, dataType: c.type, kind: c.kind, singleValue: c.sv }));
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < rows; i++) {
    const r: Record<string, unknown> = {};
    for (const c of cols) {
      if (c.kind !== 'dateTime' && rng.chance(0.1)) {
        // null, or for MV sometimes an empty array (both become the default value in Pinot).
        r[c.name] = !c.sv && rng.chance(0.5) ? [] : null;
        continue;
      }
      if (c.sv) r[c.name] = randomScalar(rng, c.type);
      else {
        // Distinct values within a row (Pinot's MV group-by and DISTINCT semantics on repeats differ by version).
        const n = rng.int(1, 3);
        const values = new Map<string, unknown>();
        for (let k = 0; k < n; k++) {
          const v = randomScalar(rng, c.type);
          values.set(String(v), v);
        }
        r[c.name] = [...values.values()];
      }
    }
    records.push(r);
  }
  return { name, schema, fields, records, jsonLines: records.map(jsonExactText) };
}

/** One generated query in both dialects. */
export interface GeneratedQuery {
  readonly pinot: string;
  /** DuckDB SQL for the reference. */
  readonly duck: string;
}

const q = (name: string): string => name;

function literal(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return String(v);
  return String(v);
}

interface Pred {
  readonly pinot: string;
  readonly duck: string;
}

function leafPredicate(rng: Rng, cols: readonly Column[]): Pred {
  const usable = cols.filter((c) => !['JSON', 'BYTES', 'BIG_DECIMAL'].includes(c.type));
  const c = rng.pick(usable);
  const v = (): string => literal(randomScalar(rng, c.type));
  const col = q(c.name);
  if (!c.sv) {
    // Any-value semantics of Pinot's multi-value predicates.
    const form = rng.int(0, 2);
    if (form === 0) {
      const x = v();
      return { pinot: `${col} = ${x}`, duck: `list_contains(${col}, ${x})` };
    }
    if (form === 1) {
      const xs = [v(), v(), v()];
      return { pinot: `${col} IN (${xs.join(', ')})`, duck: `len(list_filter(${col}, lambda __v: __v IN (${xs.join(', ')}))) > 0` };
    }
    const op = rng.pick(['<', '<=', '>', '>=']);
    const x = v();
    return { pinot: `${col} ${op} ${x}`, duck: `len(list_filter(${col}, lambda __v: __v ${op} ${x})) > 0` };
  }
  if (c.type === 'BOOLEAN') {
    const x = rng.chance(0.5) ? 'true' : 'false';
    return { pinot: `${col} = ${x}`, duck: `${col} = ${x}` };
  }
  const forms = c.type === 'STRING' ? ['cmp', 'in', 'notin', 'between', 'like'] : c.type === 'FLOAT' ? ['range', 'between'] : ['cmp', 'in', 'notin', 'between', 'range'];
  const form = rng.pick(forms);
  switch (form) {
    case 'cmp': {
      const op = rng.pick(['=', '<>', '!=']);
      const x = v();
      return { pinot: `${col} ${op} ${x}`, duck: `${col} ${op === '!=' ? '<>' : op} ${x}` };
    }
    case 'range': {
      const op = rng.pick(['<', '<=', '>', '>=']);
      const x = v();
      return { pinot: `${col} ${op} ${x}`, duck: `${col} ${op} ${x}` };
    }
    case 'in':
    case 'notin': {
      const xs = [v(), v(), v()].join(', ');
      const not = form === 'notin' ? 'NOT ' : '';
      return { pinot: `${col} ${not}IN (${xs})`, duck: `${col} ${not}IN (${xs})` };
    }
    case 'between': {
      const a = v();
      const b = v();
      return { pinot: `${col} BETWEEN ${a} AND ${b}`, duck: `${col} BETWEEN ${a} AND ${b}` };
    }
    default: {
      const pattern = rng.pick(['al%', '%ta', '_eta', '%a%', 'bet', '%\\_%']);
      return { pinot: `${col} LIKE '${pattern}'`, duck: `${col} LIKE '${pattern}' ESCAPE '\\'` };
    }
  }
}

function predicate(rng: Rng, cols: readonly Column[], depth = 0): Pred {
  if (depth >= 2 || rng.chance(0.5)) {
    const leaf = leafPredicate(rng, cols);
    return rng.chance(0.1) ? { pinot: `NOT (${leaf.pinot})`, duck: `NOT (${leaf.duck})` } : leaf;
  }
  const a = predicate(rng, cols, depth + 1);
  const b = predicate(rng, cols, depth + 1);
  const op = rng.pick(['AND', 'OR']);
  return { pinot: `(${a.pinot} ${op} ${b.pinot})`, duck: `(${a.duck} ${op} ${b.duck})` };
}

interface Agg {
  readonly pinot: string;
  readonly duck: string;
}

function aggregation(rng: Rng, cols: readonly Column[]): Agg {
  const numericSv = cols.filter((c) => c.sv && ['INT', 'LONG', 'FLOAT', 'DOUBLE'].includes(c.type));
  const numericMv = cols.filter((c) => !c.sv && ['INT', 'LONG', 'FLOAT', 'DOUBLE'].includes(c.type));
  const distinctable = cols.filter((c) => c.sv && ['INT', 'LONG', 'STRING'].includes(c.type));
  const kind = rng.int(0, 9);
  if (kind === 0) return { pinot: 'COUNT(*)', duck: 'count(*)' };
  if (kind <= 5) {
    const c = q(rng.pick(numericSv).name);
    const fn = rng.pick(['SUM', 'MIN', 'MAX', 'AVG', 'MINMAXRANGE']);
    // Pinot's SUM/MIN/MAX/AVG/MINMAXRANGE work and answer in DOUBLE (a LONG beyond 2^53 rounds).
    const d = `CAST(${c} AS DOUBLE)`;
    return { pinot: `${fn}(${c})`, duck: fn === 'MINMAXRANGE' ? `(max(${d}) - min(${d}))` : `${fn.toLowerCase()}(${d})` };
  }
  if (kind <= 7) {
    const c = q(rng.pick(numericMv).name);
    const fn = rng.pick(['COUNTMV', 'SUMMV', 'MINMV', 'MAXMV', 'AVGMV']);
    const d = `CAST(${c} AS DOUBLE[])`;
    const duck = { COUNTMV: `sum(len(${c}))`, SUMMV: `sum(list_sum(${d}))`, MINMV: `min(list_min(${d}))`, MAXMV: `max(list_max(${d}))`, AVGMV: `(sum(list_sum(${d})) / sum(len(${c})))` }[fn]!;
    return { pinot: `${fn}(${c})`, duck };
  }
  const c = q(rng.pick(distinctable).name);
  return { pinot: `DISTINCTCOUNT(${c})`, duck: `count(DISTINCT ${c})` };
}

export function generateQueries(seed: number, table: GeneratedTable, count: number): GeneratedQuery[] {
  const rng = new Rng(seed * 7919 + 17);
  const cols: Column[] = table.fields.map((f) => ({ name: f.name, type: f.dataType, kind: f.kind, sv: f.singleValue }));
  const t = table.name;
  const out: GeneratedQuery[] = [];
  const groupable = cols.filter((c) => c.sv && ['INT', 'LONG', 'STRING', 'BOOLEAN', 'DOUBLE'].includes(c.type));
  const orderable = cols.filter((c) => c.sv && !['JSON', 'BYTES'].includes(c.type));
  for (let i = 0; i < count; i++) {
    const where = rng.chance(0.75) ? predicate(rng, cols) : undefined;
    const wp = where ? ` WHERE ${where.pinot}` : '';
    const wd = where ? ` WHERE ${where.duck}` : '';
    const shape = rng.int(0, 9);
    if (shape <= 2) {
      const aggs = Array.from({ length: rng.int(1, 3) }, () => aggregation(rng, cols));
      out.push({ pinot: `SELECT ${aggs.map((a) => a.pinot).join(', ')} FROM ${t}${wp}`, duck: `SELECT ${aggs.map((a) => a.duck).join(', ')} FROM ${t}${wd}` });
    } else if (shape <= 5) {
      const mvGroup = rng.chance(0.2);
      const aggs = Array.from({ length: rng.int(1, 2) }, () => aggregation(rng, cols));
      const keys = mvGroup ? [rng.pick(cols.filter((c) => !c.sv && c.type !== 'FLOAT'))] : rng.sample(groupable, rng.int(1, 2));
      const kp = keys.map((k) => q(k.name));
      // DuckDB: a multi-value group key is one group per value (Pinot's MV group-by).
      const from = mvGroup ? `${t}, unnest(${t}.${kp[0]}) AS __u(__g)` : t;
      const kd = mvGroup ? ['__g'] : kp;
      const order = rng.int(0, 2);
      const limit = rng.pick([5, 10, 1000]);
      let orderP = '';
      let orderD = '';
      if (order === 1) {
        const dirs = kp.map(() => (rng.chance(0.3) ? ' DESC' : ''));
        orderP = ` ORDER BY ${kp.map((k, j) => k + dirs[j]).join(', ')}`;
        orderD = ` ORDER BY ${kd.map((k, j) => k + dirs[j]).join(', ')}`;
      } else if (order === 2) {
        orderP = ` ORDER BY ${aggs[0]!.pinot} DESC, ${kp.join(', ')}`;
        orderD = ` ORDER BY ${aggs[0]!.duck} DESC, ${kd.join(', ')}`;
      }
      out.push({
        pinot: `SELECT ${[...kp, ...aggs.map((a) => a.pinot)].join(', ')} FROM ${t}${wp} GROUP BY ${kp.join(', ')}${orderP} LIMIT ${limit}`,
        duck: `SELECT ${[...kd, ...aggs.map((a) => a.duck)].join(', ')} FROM ${from}${wd} GROUP BY ${kd.join(', ')}${orderD} LIMIT ${limit}`,
      });
    } else {
      const selected = rng.sample(cols, rng.int(1, 4)).map((c) => q(c.name));
      const order = rng.int(0, 2);
      const limit = rng.pick([3, 10, 50]);
      let orderBy = '';
      if (order >= 1) {
        const keys = order === 1 ? rng.sample(orderable, rng.int(1, 2)) : [rng.pick(orderable)];
        orderBy = ` ORDER BY ${keys.map((k) => q(k.name) + (rng.chance(0.3) ? ' DESC' : '')).join(', ')}`;
      }
      const sql = `SELECT ${selected.join(', ')} FROM ${t}${wp}${orderBy} LIMIT ${limit}`;
      out.push({ pinot: sql, duck: `SELECT ${selected.join(', ')} FROM ${t}${wd}${orderBy} LIMIT ${limit}` });
    }
  }
  return out;
}

import type { GeneratedQuery, GeneratedTable } from './differential.js';
import { Rng } from './differential.js';

/**
 * Generated queries over the parameterised aggregations (issue 15, item 6), in forms whose answer
 * does not depend on the order rows are read: HISTOGRAM's bin counts, the length of
 * ARRAY_AGG(…, true) (the distinct count) and of LISTAGG(DISTINCT …, '') (the summed length of
 * the distinct values), ungrouped and grouped. A separate random stream, so the main generator's
 * queries stay as they were for every seed.
 */
export function generateCollectionQueries(seed: number, table: GeneratedTable, count = 8): GeneratedQuery[] {
  const rng = new Rng(seed * 104729 + 3);
  const cols = table.fields.filter((f) => f.singleValue);
  const numeric = cols.filter((f) => ['INT', 'LONG', 'FLOAT', 'DOUBLE'].includes(f.dataType));
  const strings = cols.filter((f) => f.dataType === 'STRING');
  const keys = cols.filter((f) => ['INT', 'STRING', 'BOOLEAN'].includes(f.dataType));
  const t = table.name;
  const out: GeneratedQuery[] = [];
  for (let i = 0; i < count; i++) {
    const c = rng.pick(numeric).name;
    const d = `CAST(${c} AS DOUBLE)`;
    let pinot: string;
    let duck: string;
    const kind = rng.int(0, 3);
    if (kind === 0) {
      const [lo, hi, n] = rng.pick([[-40, 40, 8], [-1, 1, 4], [0, 1000, 5]] as const);
      const edges = Array.from({ length: n + 1 }, (_, k) => lo + ((hi - lo) * k) / n);
      pinot = `HISTOGRAM(${c}, ${lo}, ${hi}, ${n})`;
      duck = `[${edges.slice(0, -1).map((e, k) => `count(*) FILTER (WHERE ${d} >= ${e} AND ${d} ${k === n - 1 ? '<=' : '<'} ${edges[k + 1]})::DOUBLE`).join(', ')}]`;
    } else if (kind === 1) {
      const edges = [-1e12, -1, 0, 0.5, 20, 1e12];
      pinot = `HISTOGRAM(${c}, ARRAY[${edges.join(', ')}])`;
      duck = `[${edges.slice(0, -1).map((e, k) => `count(*) FILTER (WHERE ${d} >= ${e} AND ${d} ${k === edges.length - 2 ? '<=' : '<'} ${edges[k + 1]})::DOUBLE`).join(', ')}]`;
    } else if (kind === 2) {
      // Java's (long) of a FLOAT/DOUBLE truncates and saturates (defaults include -Infinity): LONG only for integer columns.
      const isFloat = ['FLOAT', 'DOUBLE'].includes(numeric.find((f) => f.name === c)!.dataType);
      const type = rng.pick(isFloat ? ['DOUBLE', 'STRING'] : ['LONG', 'DOUBLE', 'STRING']);
      pinot = `arrayLength(ARRAY_AGG(${c}, '${type}', true))`;
      // As STRING every distinct number stays distinct; as LONG or DOUBLE values may merge, as in DuckDB's cast.
      duck = type === 'STRING' ? `count(DISTINCT ${c})` : `count(DISTINCT CAST(${c} AS ${type === 'LONG' ? 'BIGINT' : 'DOUBLE'}))`;
    } else {
      if (strings.length === 0) continue;
      const s = rng.pick(strings).name;
      pinot = `length(LISTAGG(DISTINCT ${s}, ''))`;
      duck = `length(string_agg(DISTINCT ${s}, ''))`;
    }
    if (rng.chance(0.5)) {
      out.push({ pinot: `SELECT ${pinot} FROM ${t}`, duck: `SELECT ${duck} FROM ${t}` });
    } else {
      const k = rng.pick(keys).name;
      out.push({ pinot: `SELECT ${k}, ${pinot} FROM ${t} GROUP BY ${k} ORDER BY ${k} LIMIT 1000`, duck: `SELECT ${k}, ${duck} FROM ${t} GROUP BY ${k} ORDER BY ${k} LIMIT 1000` });
    }
  }
  return out;
}

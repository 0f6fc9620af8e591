import type { GeneratedQuery, GeneratedTable } from './differential.js';
import { Rng } from './differential.js';

/**
 * Generated queries over LISTAGG … WITHIN GROUP, EXPR_MIN / EXPR_MAX and FUNNEL_COUNT (issue 15),
 * in forms whose answer does not depend on the order rows are read: a DISTINCT list sorted by its
 * own values; EXPR_* with the projection as the last tie-breaker (shardtable answers the smallest
 * projection of a full tie, DuckDB's `first(… ORDER BY …)` then agrees); FUNNEL_COUNT against
 * `bool_or` per correlation id. A separate random stream, so the other generators' queries stay as
 * they were for every seed.
 */
export function generateRowAggregationQueries(seed: number, table: GeneratedTable, count = 6): GeneratedQuery[] {
  const rng = new Rng(seed * 7919 + 11);
  const cols = table.fields.filter((f) => f.singleValue);
  const ordered = cols.filter((f) => ['INT', 'LONG', 'DOUBLE', 'STRING'].includes(f.dataType));
  const numeric = cols.filter((f) => ['INT', 'LONG', 'DOUBLE'].includes(f.dataType));
  const strings = cols.filter((f) => f.dataType === 'STRING');
  const keys = cols.filter((f) => ['INT', 'STRING', 'BOOLEAN'].includes(f.dataType));
  const t = table.name;
  const out: GeneratedQuery[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rng.int(0, 2);
    if (kind === 2) {
      // FUNNEL_COUNT: ungrouped, steps on numeric columns, correlated by a key column.
      const id = rng.pick(keys).name;
      const steps = Array.from({ length: rng.int(1, 3) }, () => `${rng.pick(numeric).name} ${rng.pick(['>', '<=', '='])} 0`);
      const reach = (n: number): string => `(SELECT count(*) FROM (SELECT ${id} FROM ${t} GROUP BY ${id} HAVING ${steps.slice(0, n).map((s) => `bool_or(${s})`).join(' AND ')}))`;
      out.push({
        pinot: `SELECT FUNNEL_COUNT(STEPS(${steps.join(', ')}), CORRELATE_BY(${id})) FROM ${t}`,
        duck: `SELECT [${steps.map((_, n) => reach(n + 1)).join(', ')}]`,
      });
      continue;
    }
    let pinot: string;
    let duck: string;
    if (kind === 0 && strings.length > 0) {
      const s = rng.pick(strings).name;
      const desc = rng.chance(0.5) ? ' DESC' : '';
      pinot = `LISTAGG(DISTINCT ${s}, '|') WITHIN GROUP (ORDER BY ${s}${desc})`;
      duck = `string_agg(DISTINCT ${s}, '|' ORDER BY ${s}${desc})`;
    } else {
      const max = rng.chance(0.5);
      const projection = rng.pick(ordered).name;
      const measures = rng.sample(numeric, rng.int(1, Math.min(2, numeric.length))).map((f) => f.name);
      const dir = max ? ' DESC' : '';
      pinot = `${max ? 'EXPR_MAX' : 'EXPR_MIN'}(${projection}, ${measures.join(', ')})`;
      duck = `first(${projection} ORDER BY ${measures.map((m) => `${m}${dir}`).join(', ')}, ${projection})`;
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

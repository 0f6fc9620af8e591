import type { TableSchema } from './schema.js';

/** How one metric column combines the rows of equal dimensions. */
export type RollupFunction = 'SUM' | 'MIN' | 'MAX' | 'COUNT';

/**
 * Ingest-time rollup (Pinot's `tableIndexConfig.aggregateMetrics` and
 * `ingestionConfig.aggregationConfigs`): rows whose every non-metric column is equal are stored as
 * one row whose metrics are combined.
 */
export interface RollupSettings {
  readonly metrics: readonly { readonly column: string; readonly fn: RollupFunction }[];
}

const FUNCTION = /^\s*(SUM|MIN|MAX)\s*\(\s*([A-Za-z_$][\w$.]*)\s*\)\s*$|^\s*COUNT\s*\(\s*\*\s*\)\s*$/i;

/**
 * Reads rollup from the table JSON. `aggregationConfigs` entries are `{columnName,
 * aggregationFunction}` with `SUM(col)`, `MIN(col)`, `MAX(col)` or `COUNT(*)`; the destination must
 * be a metric column, every metric column needs one, and each becomes an ingestion transform
 * (`columnName ← col`, or `1` for COUNT) returned in `transforms`. `aggregateMetrics: true` alone
 * sums every metric column. Problems are pushed to `problems` naming the field; upsert, dedup and
 * null handling do not go with rollup (Pinot refuses the first two too).
 */
export function rollupSettingsOf(
  aggregateMetrics: unknown,
  aggregationConfigs: unknown,
  schema: TableSchema,
  context: { keyed: boolean; nullHandling: boolean },
  problems: string[],
): { settings?: RollupSettings; transforms: { columnName: string; transformFunction: string }[] } {
  const metrics = schema.columns.filter((c) => c.fieldType === 'METRIC');
  const configs = Array.isArray(aggregationConfigs) ? (aggregationConfigs as { columnName?: unknown; aggregationFunction?: unknown }[]) : [];
  if (aggregateMetrics !== true && configs.length === 0) return { transforms: [] };
  const where = configs.length > 0 ? 'ingestionConfig.aggregationConfigs' : 'tableIndexConfig.aggregateMetrics';
  if (context.keyed) problems.push(`${where}: rollup cannot be combined with upsertConfig or dedupConfig`);
  if (context.nullHandling) problems.push(`${where}: rollup needs tableIndexConfig.nullHandlingEnabled false (a null metric has no sum)`);
  if (metrics.length === 0) problems.push(`${where}: the schema has no metric column to aggregate`);
  if (configs.length === 0) return { settings: { metrics: metrics.map((m) => ({ column: m.name, fn: 'SUM' as const })) }, transforms: [] };
  const out: { column: string; fn: RollupFunction }[] = [];
  const transforms: { columnName: string; transformFunction: string }[] = [];
  configs.forEach((c, i) => {
    const path = `ingestionConfig.aggregationConfigs[${i}]`;
    const column = typeof c.columnName === 'string' ? c.columnName : '';
    const spec = schema.columns[schema.columnIndex.get(column) ?? -1];
    if (!spec || spec.fieldType !== 'METRIC') return problems.push(`${path}.columnName: ${JSON.stringify(c.columnName)} is not a metric column of schema ${schema.name}`);
    if (!spec.singleValue || !['INT', 'LONG', 'FLOAT', 'DOUBLE'].includes(spec.dataType)) return problems.push(`${path}.columnName: ${column} must be a single-value INT, LONG, FLOAT or DOUBLE metric`);
    const m = FUNCTION.exec(typeof c.aggregationFunction === 'string' ? c.aggregationFunction : '');
    if (!m) return problems.push(`${path}.aggregationFunction: must be SUM(col), MIN(col), MAX(col) or COUNT(*), got ${JSON.stringify(c.aggregationFunction)} (DISTINCTCOUNTHLL is not supported)`);
    if (out.some((o) => o.column === column)) return problems.push(`${path}.columnName: ${column} has two aggregation configs`);
    const fn = (m[1]?.toUpperCase() ?? 'COUNT') as RollupFunction;
    out.push({ column, fn });
    const source = m[2];
    // Typed as the destination column, as Pinot's ingestion casts a transform's result.
    if (source !== column) transforms.push({ columnName: column, transformFunction: `CAST(${source ?? '1'} AS ${spec.dataType})` });
    return undefined;
  });
  for (const metric of metrics) if (!out.some((o) => o.column === metric.name)) problems.push(`ingestionConfig.aggregationConfigs: metric column ${metric.name} has no aggregation config (every metric needs one)`);
  return { settings: { metrics: out }, transforms };
}

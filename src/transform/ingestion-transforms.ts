import type { TableSchema } from '../config/schema.js';
import type { IngestionSettings } from '../config/table-config.js';
import { truthy } from '../query/embedded-expression.js';
import type { DimTableResolver } from '../query/embedded-expression.js';
import { ComplexTypeFlattener } from './complex-type.js';
import { compileSourceExpression } from './source-expression.js';
import type { SourceExpression, SourceRecord } from './source-expression.js';

/** A table's transforms, filter and flattening, compiled once. */
export interface IngestionTransforms {
  /** Flattening and unnesting; null when the table has no `complexTypeConfig`. */
  readonly flattener: ComplexTypeFlattener | null;
  readonly transforms: readonly { readonly columnName: string; readonly expr: SourceExpression }[];
  readonly filter: SourceExpression | null;
}

/** An ingestion expression that does not compile; `path` names the config field. */
export class TransformConfigError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'TransformConfigError';
  }
}

/** True when records must be decoded into source fields first (transforms, filter, complex types). */
export function needsSourceFields(settings: IngestionSettings | undefined): boolean {
  return settings !== undefined && (settings.transforms.length > 0 || settings.filterFunction !== undefined || settings.complexType !== undefined);
}

/**
 * Compiles `transformConfigs`, `filterConfig` and `complexTypeConfig`. Throws
 * {@link TransformConfigError} naming the field, e.g. `ingestionConfig.transformConfigs[0].transformFunction:
 * Unsupported function: Groovy. …`.
 */
export function compileIngestionTransforms(schema: TableSchema, settings: IngestionSettings, dimTables?: DimTableResolver): IngestionTransforms {
  const transforms = settings.transforms.map((t, i) => {
    try {
      return { columnName: t.columnName, expr: compileSourceExpression(t.transformFunction, schema, dimTables) };
    } catch (err) {
      throw new TransformConfigError(`ingestionConfig.transformConfigs[${i}].transformFunction`, `${JSON.stringify(t.transformFunction)}: ${message(err)}`);
    }
  });
  let filter: SourceExpression | null = null;
  if (settings.filterFunction !== undefined) {
    try {
      filter = compileSourceExpression(settings.filterFunction, schema, dimTables);
    } catch (err) {
      throw new TransformConfigError('ingestionConfig.filterConfig.filterFunction', `${JSON.stringify(settings.filterFunction)}: ${message(err)}`);
    }
  }
  const flattener = settings.complexType ? new ComplexTypeFlattener(settings.complexType, new Set(schema.columns.map((c) => c.name))) : null;
  return { flattener, transforms, filter };
}

/**
 * Runs flattening, then transforms (in config order; each sees the record with the earlier
 * transforms' outputs), then the filter, as Pinot's transform pipeline does. A transform only
 * fills a column the record does not already carry, and yields null when a field it reads is
 * missing. Returns the records to index (none when all were filtered). Throws `Error` naming the
 * column when a function fails on a record's values.
 */
export function applyIngestionTransforms(t: IngestionTransforms, record: SourceRecord): SourceRecord[] {
  const records = t.flattener ? t.flattener.apply(record) : [record];
  const kept: SourceRecord[] = [];
  for (const r of records) {
    for (const { columnName, expr } of t.transforms) {
      if (r[columnName] !== undefined && r[columnName] !== null) continue;
      if (expr.fields.some((f) => r[f] === undefined || r[f] === null)) {
        r[columnName] = null;
        continue;
      }
      try {
        r[columnName] = expr.evaluate(r);
      } catch (err) {
        throw new Error(`transform of column ${JSON.stringify(columnName)} (${expr.text}) failed: ${message(err)}`);
      }
    }
    if (t.filter !== null) {
      let drop: boolean;
      try {
        drop = truthy(t.filter.evaluate(r));
      } catch (err) {
        throw new Error(`filterFunction (${t.filter.text}) failed: ${message(err)}`);
      }
      if (drop) continue;
    }
    kept.push(r);
  }
  return kept;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

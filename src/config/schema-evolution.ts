import { buildTableSchema } from './schema.js';
import type { ColumnSpec, PinotSchema } from './schema.js';

/** What a backward-compatible schema change does: the columns it adds. */
export interface SchemaEvolution {
  readonly added: readonly ColumnSpec[];
}

/**
 * Checks a new version of a schema that tables use, by Pinot's rule
 * (`Schema.isBackwardCompatibleWith`): every existing column stays, with the same data type and
 * the same single-/multi-value kind, and primary key columns, once set, stay the same. Anything
 * else may change (new columns, default null values, field types of columns whose data type is
 * unchanged, descriptions). Returns the columns added, or the reasons it is incompatible, each
 * naming the column.
 *
 * @example
 *   checkSchemaEvolution(old, next);
 *   // { problems: ['column ts: data type LONG changed to STRING'] }
 */
export function checkSchemaEvolution(previous: PinotSchema, next: PinotSchema): { evolution: SchemaEvolution } | { problems: string[] } {
  const before = buildTableSchema(previous);
  const after = buildTableSchema(next);
  const problems: string[] = [];
  for (const old of before.columns) {
    const now = after.columns[after.columnIndex.get(old.name) ?? -1];
    if (now === undefined) {
      problems.push(`column ${old.name} was removed`);
      continue;
    }
    if (now.dataType !== old.dataType) problems.push(`column ${old.name}: data type ${old.dataType} changed to ${now.dataType}`);
    if (now.singleValue !== old.singleValue) problems.push(`column ${old.name}: ${kind(old)} changed to ${kind(now)}`);
  }
  if (before.primaryKeyColumns.length > 0 && !sameList(before.primaryKeyColumns, after.primaryKeyColumns)) {
    problems.push(`primaryKeyColumns changed from [${before.primaryKeyColumns.join(', ')}] to [${after.primaryKeyColumns.join(', ')}]`);
  }
  if (problems.length > 0) return { problems };
  return { evolution: { added: after.columns.filter((c) => !before.columnIndex.has(c.name)) } };
}

const kind = (c: ColumnSpec): string => (c.singleValue ? 'single-value' : 'multi-value');

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

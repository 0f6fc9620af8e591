import type { ComplexTypeSettings } from '../config/table-config.js';
import type { SourceRecord } from './source-expression.js';

/**
 * Pinot's `ComplexTypeTransformer`: one nested record → one or more flat records.
 *
 * - Nested objects are flattened: `{"actor": {"login": "x"}}` → `actor.login` (the delimiter is
 *   configurable). A nested object whose full name is also a schema column (a JSON or STRING
 *   column such as `payload`) is kept whole under that name as well.
 * - Each array named in `fieldsToUnnest` (flattened name, e.g. `payload.commits`) yields one record
 *   per element, its objects flattened under the array's name (`payload.commits.sha`); nested
 *   unnest fields are applied parent first. A missing or null array keeps the record as it is;
 *   an empty array keeps the record without the field.
 * - Other arrays follow `collectionNotUnnestedToJson`: `NON_PRIMITIVE` (default) stores arrays
 *   holding objects or arrays as JSON text and keeps arrays of primitives as multi-values; `ALL`
 *   stores every array as JSON text; `NONE` keeps them as they are.
 *
 * @example
 *   new ComplexTypeFlattener({ fieldsToUnnest: ['items'], delimiter: '.', collectionNotUnnestedToJson: 'NON_PRIMITIVE' }, new Set())
 *     .apply({ id: 1, items: [{ n: 'a' }, { n: 'b' }] }) // [{ id: 1, 'items.n': 'a' }, { id: 1, 'items.n': 'b' }]
 */
export class ComplexTypeFlattener {
  private readonly unnest: readonly string[];

  constructor(
    private readonly settings: ComplexTypeSettings,
    /** Schema column names: nested objects with these names are also kept whole. */
    private readonly keepWhole: ReadonlySet<string>,
  ) {
    // Parents before children: `a.b` is unnested before `a.b.c`.
    this.unnest = [...settings.fieldsToUnnest].sort((x, y) => x.length - y.length);
  }

  apply(record: SourceRecord): SourceRecord[] {
    let rows: SourceRecord[] = [this.flatten(record, '', {})];
    for (const field of this.unnest) rows = rows.flatMap((row) => this.unnestField(row, field));
    const mode = this.settings.collectionNotUnnestedToJson;
    if (mode !== 'NONE') {
      for (const row of rows) {
        for (const [key, value] of Object.entries(row)) {
          if (Array.isArray(value) && (mode === 'ALL' || value.some((v) => v !== null && typeof v === 'object'))) row[key] = JSON.stringify(value);
        }
      }
    }
    return rows;
  }

  private flatten(obj: Record<string, unknown>, prefix: string, out: SourceRecord): SourceRecord {
    for (const [key, value] of Object.entries(obj)) this.put(prefix + key, value, out);
    return out;
  }

  /** Stores `value` under `name`; a plain object is flattened below it (and kept whole when asked). */
  private put(name: string, value: unknown, out: SourceRecord): void {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (this.keepWhole.has(name)) out[name] = value;
      this.flatten(value as Record<string, unknown>, name + this.settings.delimiter, out);
    } else {
      out[name] = value;
    }
  }

  private unnestField(row: SourceRecord, field: string): SourceRecord[] {
    const value = row[field];
    if (!Array.isArray(value)) return [row];
    const base: SourceRecord = { ...row };
    delete base[field];
    if (value.length === 0) return [base];
    return value.map((element) => {
      const copy: SourceRecord = { ...base };
      this.put(field, element, copy);
      return copy;
    });
  }
}

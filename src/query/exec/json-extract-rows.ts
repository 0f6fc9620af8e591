import type { BoundOf } from '../plan/bound-expr.js';
import { extractFromIndex, JSON_EXTRACT_INDEX, jsonExtractSpec, noJsonIndexError } from '../json-match/json-extract-index.js';
import type { ColumnBlock } from './segment-snapshot.js';

export { JSON_EXTRACT_INDEX };

/**
 * `JSON_EXTRACT_INDEX(col, …)` over a block of a sealed segment: read from the column's JSON
 * index (a `QUERY_EXECUTION` error naming the column and segment when the file has none); null
 * on a consuming segment, which computes it from the text (the function's own implementation).
 */
export function jsonExtractIndexReader(e: BoundOf<'call'>, block: (column: string) => ColumnBlock): ((row: number) => unknown) | null {
  const col = e.args[0];
  if (col?.kind !== 'column') throw new Error('jsonExtractIndex: the first argument must be a JSON or STRING column');
  const rows = block(col.column.name).jsonIndexRows?.();
  if (rows === undefined) return null;
  if (rows.index === null) throw noJsonIndexError(col.column.name, rows.segment);
  const spec = jsonExtractSpec(e.args.map((a) => ({ type: a.type, isLiteral: a.kind === 'literal', literal: a.kind === 'literal' ? a.value : null })));
  return extractFromIndex(spec, rows.index, rows.numDocs, rows.firstDoc);
}

import type { CellValue } from '../config/data-type.js';
import type { TableSchema } from '../config/schema.js';
import { ShardtableError } from '../errors.js';
import { REPLAY_NONE, REPLAY_SKIP } from '../segment/index.js';
import type { SealedSegment } from '../segment/index.js';
import type { KeyColumns } from './record-keys.js';
import { inverse } from './upsert-slots.js';

/**
 * The replay section of a file of a table with several comparison columns (`UpsertFooter.replay`):
 * with them, which row of a key is live depends on the order records arrived in and on which
 * column decided each (`ComparisonValues`), and a seal re-sorts rows while a file without null
 * handling stores a null cell as the default value. So the seal writes, by arrival, each row's doc
 * id in the file and its deciding column, and a rebuild replays the rows in that order.
 *
 * @example
 *   const bytes = replayBytes(slot.decided, segment.numDocs, perm); // at seal
 *   replayRows(schema, columns, sealed, sealed.upsertReplay()!, apply); // at restart
 */
export function replayBytes(decided: Uint8Array | null, numDocs: number, perm: Int32Array | null): Uint8Array {
  const out = new Uint8Array(5 * numDocs);
  const view = new DataView(out.buffer);
  const newDoc = inverse(perm, numDocs);
  for (let arrival = 0; arrival < numDocs; arrival++) {
    view.setInt32(4 * arrival, newDoc(arrival), true);
    out[4 * numDocs + arrival] = decided !== null && arrival < decided.length ? decided[arrival]! : REPLAY_SKIP;
  }
  return out;
}

/**
 * Reads the rows of `segment` in arrival order and calls `apply(row, doc, col, value)` for each
 * row the run applied: `row` holds its key and delete cells, `col` is the position of its deciding
 * comparison column (-1: none) and `value` that column's cell. Cells are read one by one (docs
 * are not in ascending order). A section naming a doc or column out of range is `SEGMENT_CORRUPT`.
 */
export function replayRows(
  schema: TableSchema,
  columns: KeyColumns,
  segment: SealedSegment,
  bytes: Uint8Array,
  apply: (row: (CellValue | null)[], doc: number, col: number, value: CellValue | null) => void,
): void {
  const n = segment.numDocs;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const names = schema.columns.map((c) => c.name);
  const cells = [...new Set([...columns.keys, ...(columns.delete >= 0 ? [columns.delete] : [])])];
  const row = new Array<CellValue | null>(names.length).fill(null);
  for (let arrival = 0; arrival < n; arrival++) {
    const code = bytes[4 * n + arrival]!;
    if (code === REPLAY_SKIP) continue;
    const doc = view.getInt32(4 * arrival, true);
    const col = code === REPLAY_NONE ? -1 : code;
    if (doc < 0 || doc >= n || col >= columns.comparisons.length) {
      throw new ShardtableError('SEGMENT_CORRUPT', { path: segment.path, detail: `upsert replay order names doc ${doc}, comparison column ${code} at ${arrival}` });
    }
    for (const i of cells) row[i] = segment.getValue(names[i]!, doc);
    apply(row, doc, col, col < 0 ? null : segment.getValue(names[columns.comparisons[col]!]!, doc));
  }
}

/** `decided[doc]` = the deciding column's position (-1: `REPLAY_NONE`), growing the array (new cells `REPLAY_SKIP`). */
export function setDecided(decided: Uint8Array, doc: number, col: number): Uint8Array {
  if (doc >= decided.length) {
    const bigger = new Uint8Array(Math.max(doc + 1, decided.length * 2)).fill(REPLAY_SKIP);
    bigger.set(decided);
    decided = bigger;
  }
  decided[doc] = col < 0 ? REPLAY_NONE : col;
  return decided;
}

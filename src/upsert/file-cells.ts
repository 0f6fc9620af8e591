import type { CellValue, ScalarValue } from '../config/data-type.js';
import type { TableSchema } from '../config/schema.js';
import type { SegmentView } from '../segment/segment-view.js';
import type { ColumnReader, DecodedBlock, SealedColumnReader } from '../segment/segment-view.js';
import type { KeyColumns } from './record-keys.js';

/**
 * One column of a segment file read block by block for the key map's rebuild: `at(doc)` gives
 * what `getValue` gives (or null for a null cell when `nullable`), but each block is fetched once
 * (not once per cell through the block cache) and each dictionary id is resolved to its value
 * once per file. Docs must be asked in ascending order. A column without blocks (a consuming
 * segment) or a multi-value column is read cell by cell, as before.
 *
 * @example
 *   const ts = new FileCells(segment.column('ts'), false);
 *   for (let doc = 0; doc < n; doc++) use(ts.at(doc));
 */
export class FileCells {
  private readonly blocks: SealedColumnReader | null;
  private block: DecodedBlock | null = null;
  private next = 0;
  private end = 0;
  private first = 0;
  private readonly dictValues: (ScalarValue | undefined)[] = [];
  /** The dictionary id of the cell `at` read last, or -1 (a raw or null cell, a cell-by-cell column). */
  dictId = -1;

  constructor(
    private readonly reader: ColumnReader,
    private readonly nullable: boolean,
  ) {
    this.blocks = 'readBlock' in reader && reader.spec.singleValue !== false ? (reader as SealedColumnReader) : null;
  }

  /** Dictionary size of a dictionary-encoded column read by blocks (ids `at` can give), else 0. */
  get cardinality(): number {
    return this.blocks !== null && this.reader.encoding === 'DICT' ? this.reader.dictionary!.size : 0;
  }

  at(doc: number): CellValue | null {
    this.dictId = -1;
    if (this.blocks === null) return this.nullable && this.reader.isNull(doc) ? null : this.reader.getValue(doc);
    if (doc >= this.end || doc < this.first) this.load(doc);
    const block = this.block!;
    const i = doc - this.first;
    if (this.nullable && block.nulls !== null && (block.nulls[i >> 3]! & (1 << (i & 7))) !== 0) return null;
    const ids = block.dictIds;
    if (ids !== null) {
      const id = (this.dictId = ids[i]!);
      let v = this.dictValues[id];
      if (v === undefined) v = this.dictValues[id] = this.reader.dictionary!.get(id);
      return v;
    }
    const x = block.values![i]!;
    return x instanceof Uint8Array ? x.slice() : x;
  }

  private load(doc: number): void {
    const stats = this.blocks!.blocks;
    // Blocks are asked in order: the next one first, else a binary search.
    let b = this.next;
    if (!(b < stats.length && stats[b]!.firstDoc <= doc && doc < stats[b]!.firstDoc + stats[b]!.numDocs)) {
      let lo = 0;
      let hi = stats.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (stats[mid]!.firstDoc <= doc) lo = mid;
        else hi = mid - 1;
      }
      b = lo;
    }
    const block = this.blocks!.readBlock(b);
    if (block.offsets !== null) throw new Error(`column ${this.reader.spec.name} is multi-valued`);
    this.block = block;
    this.first = block.firstDoc;
    this.end = block.firstDoc + block.numDocs;
    this.next = b + 1;
  }
}

/**
 * Reads the key, comparison and delete cells of a stored row into `row` (a stored null reads as
 * the default; with several comparison columns a null cell is skipped, so it must read as null).
 * Docs in ascending order: each column is read block by block, each dictionary id resolved once
 * per file. `key`: the one key column's cells (its `dictId`), or null with a composite key.
 */
export function keyCellReader(schema: TableSchema, columns: KeyColumns, view: SegmentView): { read: (doc: number, row: (CellValue | null)[]) => void; key: FileCells | null } {
  const { keys, comparisons } = columns;
  const cols = schema.columns;
  const nullable = comparisons.length > 1 ? new Set(comparisons) : new Set<number>();
  const positions = [...new Set([...keys, ...comparisons, ...(columns.delete >= 0 ? [columns.delete] : [])])];
  const cells = positions.map((i) => new FileCells(view.column(cols[i]!.name), nullable.has(i)));
  const count = positions.length;
  const read = (doc: number, row: (CellValue | null)[]): void => {
    for (let k = 0; k < count; k++) row[positions[k]!] = cells[k]!.at(doc);
  };
  return { read, key: keys.length === 1 ? cells[0]! : null };
}

import type { BlockFooter, SectionRef } from './footer.js';
import type { JsonScalar } from './typed-json.js';

/** A block's min and max as the footer stores them. */
export type BlockBounds = readonly [min: JsonScalar | null, max: JsonScalar | null];

/** Fields per block in `BlockRefs.words`. */
const RAW_LENGTH = 0;
const CRC = 1;
const NUM_DOCS = 2;
const NUM_VALUES = 3;
const NULL_COUNT = 4;
const FIRST_FRAME = 5;
const FRAME_COUNT = 6;
const FLAGS = 7;
const WORDS = 8;
/** `FLAGS` bit: the section has a CRC-32 (files written before per-section checksums have none). */
const HAS_CRC = 1;

/**
 * The blocks of one column of an open segment file, as the footer lists them (`BlockFooter`:
 * counts, min/max and the section), kept in typed arrays instead of an object per block, a
 * section object per block and a frame array per section. A million-row segment of the
 * benchmark's 9 columns has 558 blocks, and opening 100 such files kept 11.5 of its 18.2 MiB of
 * heap in those objects (bench/notes.md); every full collection marked them. A `SectionRef` is
 * made when a block is read from the file; `footer(b, bounds)` makes the `BlockFooter` again for
 * the rare reader of the footer itself (`ColumnFooter.blocks`, e.g. a tool finding a block's
 * offset). The min/max are not kept here: the reader holds them decoded (`BlockStats`).
 */
export class BlockRefs {
  private constructor(
    /** `WORDS` unsigned 32-bit fields per block. */
    private readonly words: Uint32Array,
    /** File offset of each block's section (a double: files may pass 4 GiB). */
    private readonly offsets: Float64Array,
    /** Every section's frame lengths, in block order. */
    private readonly frames: Uint32Array,
  ) {}

  /** Packs a footer's block list (already validated: counts are safe integers, sections in the file). */
  static of(blocks: readonly BlockFooter[]): BlockRefs {
    const n = blocks.length;
    let frameTotal = 0;
    for (const b of blocks) frameTotal += b.section.frames.length;
    const words = new Uint32Array(n * WORDS);
    const offsets = new Float64Array(n);
    const frames = new Uint32Array(frameTotal);
    let f = 0;
    for (let i = 0; i < n; i++) {
      const b = blocks[i]!;
      const s = b.section;
      const w = i * WORDS;
      words[w + RAW_LENGTH] = s.rawLength;
      words[w + CRC] = s.crc32 ?? 0;
      words[w + NUM_DOCS] = b.numDocs;
      words[w + NUM_VALUES] = b.numValues;
      words[w + NULL_COUNT] = b.nullCount;
      words[w + FIRST_FRAME] = f;
      words[w + FRAME_COUNT] = s.frames.length;
      words[w + FLAGS] = s.crc32 === undefined ? 0 : HAS_CRC;
      offsets[i] = s.offset;
      for (const len of s.frames) frames[f++] = len;
    }
    return new BlockRefs(words, offsets, frames);
  }

  get length(): number {
    return this.offsets.length;
  }

  numDocs(b: number): number {
    return this.words[b * WORDS + NUM_DOCS]!;
  }

  numValues(b: number): number {
    return this.words[b * WORDS + NUM_VALUES]!;
  }

  /** Block `b`'s raw (decompressed) length. */
  rawLength(b: number): number {
    return this.words[b * WORDS + RAW_LENGTH]!;
  }

  /** Block `b`'s section, made for a read. */
  section(b: number): SectionRef {
    const w = b * WORDS;
    const words = this.words;
    const first = words[w + FIRST_FRAME]!;
    const count = words[w + FRAME_COUNT]!;
    const frames = new Array<number>(count);
    for (let i = 0; i < count; i++) frames[i] = this.frames[first + i]!;
    const offset = this.offsets[b]!;
    const rawLength = words[w + RAW_LENGTH]!;
    return (words[w + FLAGS]! & HAS_CRC) !== 0 ? { offset, rawLength, frames, crc32: words[w + CRC]! } : { offset, rawLength, frames };
  }

  /** Block `b` as the footer lists it, with its min and max (`bounds`). */
  footer(b: number, [min, max]: BlockBounds): BlockFooter {
    return { numDocs: this.numDocs(b), numValues: this.numValues(b), nullCount: this.words[b * WORDS + NULL_COUNT]!, min, max, section: this.section(b) };
  }

  /** Every block as the footer lists them (new objects each call), block `b`'s min and max from `bounds(b)`. */
  footers(bounds: (b: number) => BlockBounds): BlockFooter[] {
    return Array.from({ length: this.length }, (_, b) => this.footer(b, bounds(b)));
  }
}

/**
 * Lets `column`'s footer give up its block objects: `column.blocks` becomes a getter that makes
 * them again with `list` when read (tools, tests), so the open segment keeps only the packed
 * form. A frozen footer keeps its array.
 */
export function packFooterBlocks(column: { readonly blocks: readonly BlockFooter[] }, list: () => BlockFooter[]): void {
  if (Object.getOwnPropertyDescriptor(column, 'blocks')?.configurable !== true) return;
  Object.defineProperty(column, 'blocks', { get: list, enumerable: true, configurable: true });
}

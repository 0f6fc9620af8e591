import { describe, expect, it } from 'vitest';
import { BlockRefs, packFooterBlocks } from '../../../../src/segment/format/block-refs.js';
import type { BlockFooter } from '../../../../src/segment/format/footer.js';
import type { JsonScalar } from '../../../../src/segment/format/typed-json.js';

/**
 * An open segment keeps its blocks' sections and counts packed (`BlockRefs`), not the footer's
 * objects: every block must come back exactly as the footer listed it, with or without a CRC-32,
 * with several frames, and past 4 GiB.
 */
const BLOCKS: BlockFooter[] = [
  { numDocs: 16384, numValues: 16384, nullCount: 0, min: 1, max: 99.5, section: { offset: 16, rawLength: 131072, frames: [40211], crc32: 0xdeadbeef } },
  { numDocs: 16384, numValues: 40000, nullCount: 12, min: 'apple', max: 'zebra', section: { offset: 40227, rawLength: 600000, frames: [90000, 91000, 15000], crc32: 0 } },
  // A file written before per-section checksums: no crc32 key at all.
  { numDocs: 700, numValues: 700, nullCount: 700, min: null, max: null, section: { offset: 5 * 2 ** 32 + 3, rawLength: 0, frames: [] } },
  { numDocs: 1, numValues: 1, nullCount: 0, min: '-9007199254740993', max: '-9007199254740993', section: { offset: 2 ** 40, rawLength: 8, frames: [17], crc32: 0xffffffff } },
];

describe('BlockRefs', () => {
  it('gives back every block, section and count as listed', () => {
    const refs = BlockRefs.of(BLOCKS);
    expect(refs.length).toBe(BLOCKS.length);
    const bounds = (i: number): [JsonScalar | null, JsonScalar | null] => [BLOCKS[i]!.min, BLOCKS[i]!.max];
    BLOCKS.forEach((b, i) => {
      expect(refs.footer(i, bounds(i))).toStrictEqual(b);
      expect(refs.section(i)).toStrictEqual(b.section);
      expect(refs.numDocs(i)).toBe(b.numDocs);
      expect(refs.numValues(i)).toBe(b.numValues);
      expect(refs.rawLength(i)).toBe(b.section.rawLength);
    });
    expect('crc32' in refs.section(2)).toBe(false);
    expect(refs.footers(bounds)).toStrictEqual(BLOCKS);
    expect(BlockRefs.of([]).footers(bounds)).toEqual([]);
  });

  it('lets a footer column give up its block objects and still list them', () => {
    const column = { name: 'c', blocks: structuredClone(BLOCKS) };
    const refs = BlockRefs.of(column.blocks);
    const list = (): BlockFooter[] => refs.footers((i) => [BLOCKS[i]!.min, BLOCKS[i]!.max]);
    packFooterBlocks(column, list);
    expect(Object.getOwnPropertyDescriptor(column, 'blocks')?.get).toBeTypeOf('function');
    expect(column.blocks).toStrictEqual(BLOCKS);
    expect(JSON.parse(JSON.stringify(column))).toEqual({ name: 'c', blocks: JSON.parse(JSON.stringify(BLOCKS)) });
    // A frozen footer keeps its array as it is.
    const frozen = Object.freeze({ blocks: BLOCKS });
    packFooterBlocks(frozen, list);
    expect(Object.getOwnPropertyDescriptor(frozen, 'blocks')?.value).toBe(BLOCKS);
  });
});

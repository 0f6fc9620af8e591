import { describe, expect, it } from 'vitest';
import { checkDictIds, checkValueOffsets } from '../../../../src/segment/reader/block-checks.js';

describe('block checks on decode', () => {
  it('accepts dictionary ids inside the dictionary, at every id width', () => {
    expect(() => checkDictIds(Uint8Array.from([0, 4, 2]), 5)).not.toThrow();
    expect(() => checkDictIds(Uint16Array.from([0, 299, 7]), 300)).not.toThrow();
    expect(() => checkDictIds(Int32Array.from([0, 69_999, 12]), 70_000)).not.toThrow();
    expect(() => checkDictIds(new Int32Array(0), 0)).not.toThrow();
  });

  it('names an id past the dictionary, or below 0', () => {
    expect(() => checkDictIds(Uint8Array.from([0, 5, 2]), 5)).toThrow('dictionary id 5 out of range');
    expect(() => checkDictIds(Uint16Array.from([300, 1]), 300)).toThrow('dictionary id 300 out of range');
    expect(() => checkDictIds(Int32Array.from([3, 70_000]), 70_000)).toThrow('dictionary id 70000 out of range');
    expect(() => checkDictIds(Int32Array.from([3, -1]), 70_000)).toThrow('dictionary id -1 out of range');
    expect(() => checkDictIds(Uint8Array.from([0]), 0)).toThrow('dictionary id 0 out of range');
  });

  it('needs no loop when the id width cannot reach past the dictionary', () => {
    // 256 values: every u8 id is valid; 65,536: every u16 id.
    expect(() => checkDictIds(Uint8Array.from([255]), 256)).not.toThrow();
    expect(() => checkDictIds(Uint16Array.from([65_535]), 65_536)).not.toThrow();
  });

  it('accepts offsets that start at 0, never decrease and end at the value count', () => {
    expect(() => checkValueOffsets(Uint32Array.from([0, 2, 2, 5]), 5)).not.toThrow();
    expect(() => checkValueOffsets(Uint32Array.from([0]), 0)).not.toThrow();
  });

  it('rejects offsets that decrease, start past 0 or end elsewhere', () => {
    expect(() => checkValueOffsets(Uint32Array.from([0, 3, 2, 5]), 5)).toThrow('value offsets decrease');
    expect(() => checkValueOffsets(Uint32Array.from([1, 3, 5]), 5)).toThrow('value offsets do not match the value count');
    expect(() => checkValueOffsets(Uint32Array.from([0, 3, 4]), 5)).toThrow('value offsets do not match the value count');
  });
});

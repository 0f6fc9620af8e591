import { describe, expect, it } from 'vitest';
import { packBytes, packStrings } from '../../../../src/segment/format/packed-values.js';

function unpack(packed: { bytes: Uint8Array; offsets: Uint32Array }): Buffer[] {
  return Array.from({ length: packed.offsets.length - 1 }, (_, i) => Buffer.from(packed.bytes.subarray(packed.offsets[i]!, packed.offsets[i + 1]!)));
}

describe('packStrings', () => {
  it('encodes each string as Buffer.from(s, "utf8") does, across chunks of ASCII and non-ASCII', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => (i % 997 === 0 ? `é${i}🚀` : i % 1499 === 0 ? '' : `v${i}`));
    expect(unpack(packStrings(values))).toEqual(values.map((s) => Buffer.from(s, 'utf8')));
  });

  it('does not join a surrogate pair split across two strings', () => {
    const values = ['a\ud83d', '\ude80b', '\ud83d\ude80'];
    expect(unpack(packStrings(values))).toEqual(values.map((s) => Buffer.from(s, 'utf8')));
  });
});

describe('packBytes', () => {
  it('copies byte strings in order, empty ones included', () => {
    const values = [Uint8Array.from([1, 2]), new Uint8Array(0), Uint8Array.from([255])];
    expect(unpack(packBytes(values))).toEqual(values.map((v) => Buffer.from(v)));
  });
});

import type { ZstdCodec } from '../codecs/zstd-codec.js';
import type { ConsumingSnapshot } from '../consuming-segment.js';
import type { SegmentFileInfo } from '../format/segment-writer.js';
import { buildSegmentFile } from '../format/segment-writer.js';
import { checkSegmentBytes } from '../open-segment.js';

/**
 * Builds a segment file as one buffer and checks it as a reader would (magic, version, CRC-32,
 * footer), so what is published was verified before it is written — not read back from disk
 * afterwards. Runs in the seal worker, or on the calling thread when the worker is unavailable.
 * Throws `SEGMENT_CORRUPT` if the writer produced a file its reader rejects.
 */
export function buildCheckedSegment(info: SegmentFileInfo, snapshot: ConsumingSnapshot, zstd: ZstdCodec): Uint8Array {
  const file = buildSegmentFile(info, snapshot, zstd);
  const bytes = new Uint8Array(file.size);
  let at = 0;
  for (const chunk of file.chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  checkSegmentBytes(info.identity.segmentName, bytes);
  return bytes;
}

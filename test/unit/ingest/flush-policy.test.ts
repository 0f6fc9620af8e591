import { describe, expect, it } from 'vitest';
import { sealReason } from '../../../src/ingest/flush-policy.js';

const thresholds = { rows: 100, timeMs: 60_000, segmentSizeBytes: 1024 };
const T0 = 1_700_000_000_000;

describe('sealReason', () => {
  it('seals on the row threshold', () => {
    expect(sealReason({ numDocs: 99, estimatedSizeBytes: 10, createdAtMs: T0 }, thresholds, T0 + 1)).toBeNull();
    expect(sealReason({ numDocs: 100, estimatedSizeBytes: 10, createdAtMs: T0 }, thresholds, T0 + 1)).toBe('rows');
  });

  it('seals on the size threshold', () => {
    expect(sealReason({ numDocs: 5, estimatedSizeBytes: 1023, createdAtMs: T0 }, thresholds, T0)).toBeNull();
    expect(sealReason({ numDocs: 5, estimatedSizeBytes: 1024, createdAtMs: T0 }, thresholds, T0)).toBe('size');
  });

  it('seals on the time threshold', () => {
    expect(sealReason({ numDocs: 1, estimatedSizeBytes: 10, createdAtMs: T0 }, thresholds, T0 + 59_999)).toBeNull();
    expect(sealReason({ numDocs: 1, estimatedSizeBytes: 10, createdAtMs: T0 }, thresholds, T0 + 60_000)).toBe('time');
  });

  it('never seals an empty segment, however old or whatever the thresholds', () => {
    expect(sealReason({ numDocs: 0, estimatedSizeBytes: 4096, createdAtMs: T0 }, thresholds, T0 + 10 * 60_000)).toBeNull();
    expect(sealReason({ numDocs: 0, estimatedSizeBytes: 0, createdAtMs: T0 }, { rows: 0, timeMs: 1, segmentSizeBytes: 0 }, T0 + 5)).toBeNull();
  });

  it('treats 0 as "off" for each threshold', () => {
    const off = { rows: 0, timeMs: 0, segmentSizeBytes: 0 };
    expect(sealReason({ numDocs: 1_000_000, estimatedSizeBytes: 1e9, createdAtMs: T0 }, off, T0 + 1e9)).toBeNull();
  });

  it('reports rows before size before time when several are reached', () => {
    const all = { numDocs: 100, estimatedSizeBytes: 2048, createdAtMs: T0 };
    expect(sealReason(all, thresholds, T0 + 60_000)).toBe('rows');
    expect(sealReason({ ...all, numDocs: 50 }, thresholds, T0 + 60_000)).toBe('size');
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../src/config/schema.js';
import { sealSegment, summarizeSegment } from '../../../src/segment/index.js';
import { allTypesSchema, indexing, newSegment, rowOf, tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('summarizeSegment', () => {
  it('shows the footer fields, the size and the time range, in the API order', async () => {
    const schema = allTypesSchema();
    const seg = newSegment(schema, indexing());
    for (let i = 0; i < 3; i++) seg.index(rowOf(schema, i, false), String(1000 + i), 0);
    const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: true, creationTimeMs: 1_700_000_123_000, builder: 'inline' });
    const summary = summarizeSegment(sealed.metadata);
    expect(Object.keys(summary)).toEqual([
      'segmentName', 'partitionId', 'shardId', 'numDocs', 'startOffset', 'endOffset', 'endOfShard', 'creationTimeMs', 'sizeBytes', 'startTimeMs', 'endTimeMs',
    ]);
    expect(summary).toMatchObject({
      segmentName: 'alltypes__0__0__20240101T0000Z',
      partitionId: 0,
      shardId: 'shardId-000000000000',
      numDocs: 3,
      startOffset: '1000',
      endOffset: '1002',
      endOfShard: true,
      creationTimeMs: 1_700_000_123_000,
      sizeBytes: sealed.metadata.sizeBytes,
    });
    expect(summary.startTimeMs).toBe(sealed.footer.startTimeMs);
    expect(summary.endTimeMs).toBe(sealed.footer.endTimeMs);
  });

  it('omits the time range (not null) when the segment has none, and keeps null offsets of an empty segment', async () => {
    const schema = buildTableSchema({ schemaName: 't', dimensionFieldSpecs: [{ name: 's', dataType: 'STRING' }] });
    const seg = newSegment(schema, indexing(), 't__0__0__20240101T0000Z');
    const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: true, builder: 'inline' });
    const summary = summarizeSegment(sealed.metadata);
    expect('startTimeMs' in summary || 'endTimeMs' in summary).toBe(false);
    expect(summary.startOffset).toBeNull();
    expect(summary.endOffset).toBeNull();
    expect('tableName' in summary).toBe(false);
  });
});

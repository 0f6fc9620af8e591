import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../src/config/schema.js';
import type { SegmentFileInfo } from '../../../../src/segment/format/segment-writer.js';
import { ConsumingSegment, SealWorker, sealSegment } from '../../../../src/segment/index.js';
import type { SealedSegment } from '../../../../src/segment/index.js';
import { allTypesSchema, cellsOf, expectSameRows, indexing, newSegment, rowOf, tempDir } from '../fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
const workers: SealWorker[] = [];
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
  await cleanup();
});

function track(worker: SealWorker): SealWorker {
  workers.push(worker);
  return worker;
}

/** A worker script (plain JavaScript, as a data: URL) that stands in for the real one. */
function fakeWorker(onMessage: string): URL {
  const source = `
    import { parentPort } from 'node:worker_threads';
    parentPort.on('message', (message) => { ${onMessage} });
    parentPort.postMessage({ kind: 'ready', codec: 'fake' });`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/** Three blocks of every type, with nulls, inverted indexes, raw columns and (`sorted`) a sorted column. */
function fullSegment(sorted = true): ConsumingSegment {
  const schema = allTypesSchema();
  const seg = newSegment(
    schema,
    indexing({
      nullHandlingEnabled: true,
      ...(sorted ? { sortedColumn: 'sv_int' } : {}),
      invertedIndexColumns: ['sv_string', 'mv_string', 'sv_long'],
      noDictionaryColumns: ['sv_json', 'sv_bytes', 'sv_double', 'mv_big_decimal'],
    }),
  );
  for (let i = 0; i < 40_000; i++) seg.index(rowOf(schema, i, true), String(1000 + i), 1_700_000_000_000 + i);
  return seg;
}

function infoOf(seg: ConsumingSegment): SegmentFileInfo {
  return {
    identity: seg.identity,
    schema: seg.schema,
    indexing: seg.indexing,
    timeColumnName: seg.timeColumnName,
    consumingStartTimeMs: seg.createdAtMs,
    creationTimeMs: 1_700_000_123_000,
    endOfShard: false,
  };
}

async function fileBytes(sealed: SealedSegment): Promise<Buffer> {
  return readFile(sealed.path);
}

describe('SealWorker', () => {
  it('builds the same bytes as the in-process build, and leaves the consuming segment as it was', async () => {
    const worker = track(new SealWorker());
    const seg = fullSegment();
    const before = cellsOf(seg);
    const inline = await sealSegment(seg, { tableDir: join(dir), endOfShard: false, creationTimeMs: 1_700_000_123_000, builder: 'inline' });
    const inlineBytes = await fileBytes(inline);
    const viaWorker = await sealSegment(seg, { tableDir: dir, endOfShard: false, creationTimeMs: 1_700_000_123_000, builder: worker, onInlineFallback: (why) => expect.fail(why) });
    expect(worker.state).toBe('ready');
    expect(Buffer.compare(await fileBytes(viaWorker), inlineBytes)).toBe(0);
    expectSameRows(cellsOf(viaWorker), cellsOf(inline));
    // The consuming segment is still readable, unchanged, and can seal again.
    expectSameRows(cellsOf(seg), before);
    expect(seg.numDocs).toBe(40_000);
  });

  it('keeps the event loop turning while it builds', async () => {
    const worker = track(new SealWorker());
    const seg = fullSegment();
    await worker.build(infoOf(seg), seg.snapshot()); // the thread is up: the next build is all work
    let ticks = 0;
    let building = true;
    const tick = (): void => {
      ticks++;
      if (building) setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    const bytes = await worker.build(infoOf(seg), seg.snapshot());
    building = false;
    // Built inline, the timer could only fire after the build; in the worker it fires meanwhile.
    expect(ticks).toBeGreaterThan(0);
    expect(bytes.length).toBeGreaterThan(0);
  });

  it('builds in-process when the worker cannot start, and stops trying', async () => {
    const worker = track(new SealWorker(new URL('file:///nonexistent/seal-worker-thread.js')));
    const reasons: string[] = [];
    const seg = fullSegment(false);
    const expected = cellsOf(seg);
    const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: false, builder: worker, onInlineFallback: (why) => reasons.push(why) });
    expectSameRows(cellsOf(sealed), expected);
    expect(worker.state).toBe('unavailable');
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/could not start|stopped/);
    await sealSegment(newSegment(allTypesSchema(), indexing(), 'alltypes__0__1__20240101T0000Z'), { tableDir: dir, endOfShard: true, builder: worker, onInlineFallback: (why) => reasons.push(why) });
    expect(reasons[1]).toMatch(/could not start/);
  });

  it('builds in-process when the worker dies during the build, and starts a new worker next time', async () => {
    const worker = track(new SealWorker(fakeWorker(`if (message.kind === 'build') process.exit(3);`)));
    const reasons: string[] = [];
    const seg = fullSegment(false);
    const expected = cellsOf(seg);
    const sealed = await sealSegment(seg, { tableDir: dir, endOfShard: false, builder: worker, onInlineFallback: (why) => reasons.push(why) });
    expectSameRows(cellsOf(sealed), expected);
    expect(reasons).toEqual([expect.stringMatching(/stopped during the build: exit code 3/)]);
    expect(worker.state).toBe('idle');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('seals the rows indexed when the seal started, in the worker or in-process after it died', async () => {
    const schema = allTypesSchema();
    for (const [name, worker] of [
      ['alltypes__0__0__20240101T0000Z', track(new SealWorker())],
      ['alltypes__0__1__20240101T0000Z', track(new SealWorker(fakeWorker(`if (message.kind === 'build') process.exit(3);`)))],
    ] as const) {
      const seg = newSegment(schema, indexing({ nullHandlingEnabled: true }), name);
      for (let i = 0; i < 20_000; i++) seg.index(rowOf(schema, i, true), String(i), 0);
      const expected = cellsOf(seg);
      const sealing = sealSegment(seg, { tableDir: dir, endOfShard: false, builder: worker, onInlineFallback: () => undefined });
      for (let i = 20_000; i < 40_000; i++) seg.index(rowOf(schema, i, true), String(i), 0); // grows every array
      const sealed = await sealing;
      expect(sealed.metadata.endOffset).toBe('19999');
      expectSameRows(cellsOf(sealed), expected);
    }
  });

  it('reports a build error from the worker as the seal error, without building again', async () => {
    const worker = track(new SealWorker(fakeWorker(`if (message.kind === 'build') parentPort.postMessage({ kind: 'failed', job: message.job, message: 'disk of doom' });`)));
    const seg = newSegment(allTypesSchema(), indexing());
    await expect(sealSegment(seg, { tableDir: dir, endOfShard: true, builder: worker, onInlineFallback: (why) => expect.fail(why) })).rejects.toThrow(/disk of doom/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('close() ends the thread after pending builds; a later build starts a new one', async () => {
    const worker = track(new SealWorker());
    const seg = fullSegment();
    const pending = worker.build(infoOf(seg), seg.snapshot());
    await worker.close();
    expect(worker.state).toBe('idle');
    expect((await pending).length).toBeGreaterThan(0);
    const again = await worker.build(infoOf(seg), seg.snapshot());
    expect(Buffer.compare(Buffer.from(again), Buffer.from(await pending))).toBe(0);
    expect(worker.state).toBe('ready');
  });

  it('builds long string dictionaries sent in several messages', async () => {
    const worker = track(new SealWorker());
    const schema = buildTableSchema({ schemaName: 't', dimensionFieldSpecs: [{ name: 'id', dataType: 'STRING' }, { name: 'raw', dataType: 'STRING' }, { name: 'b', dataType: 'BYTES' }] });
    const seg = new ConsumingSegment({ identity: { tableName: 't', segmentName: 't__0__0__20240101T0000Z', partitionId: 0, shardId: 'shardId-000000000000' }, schema, indexing: indexing({ noDictionaryColumns: ['raw'] }) });
    for (let i = 0; i < 150_000; i++) seg.index([`id-${(i * 7919) % 150_000}`, `r${i}é`, Uint8Array.from([i & 255, (i >> 8) & 255, i >> 16])], String(i), 0);
    const bytes = await worker.build(infoOf(seg), seg.snapshot());
    const inline = await sealSegment(seg, { tableDir: dir, endOfShard: false, creationTimeMs: 1_700_000_123_000, builder: 'inline' });
    expect(Buffer.compare(Buffer.from(bytes), await fileBytes(inline))).toBe(0);
    expect(existsSync(inline.path)).toBe(true);
  });
});

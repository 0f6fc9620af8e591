import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SEGMENT_MODULE = fileURLToPath(new URL('../../dist/src/segment/index.js', import.meta.url));
const run = promisify(execFile);

/**
 * The seal worker from the compiled build (what the CLI runs), in a process of its own: it
 * builds there, and it never keeps that process alive once the seal is done.
 */
describe('seal worker in a compiled process', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'shardtable-seal-proc-'))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('seals in the worker from dist/, then the process exits by itself', async () => {
    const script = `
      import { buildTableSchema } from ${JSON.stringify(fileURLToPath(new URL('../../dist/src/config/schema.js', import.meta.url)))};
      import { ConsumingSegment, defaultSealWorker, sealSegment } from ${JSON.stringify(SEGMENT_MODULE)};
      const schema = buildTableSchema({ schemaName: 't', dimensionFieldSpecs: [{ name: 's', dataType: 'STRING' }], metricFieldSpecs: [{ name: 'n', dataType: 'LONG' }] });
      const seg = new ConsumingSegment({ identity: { tableName: 't', segmentName: 't__0__0__20240101T0000Z', partitionId: 0, shardId: 'shardId-000000000000' }, schema,
        indexing: { invertedIndexColumns: [], noDictionaryColumns: [], nullHandlingEnabled: false } });
      for (let i = 0; i < 50000; i++) seg.index(['v' + (i % 100), BigInt(i)], String(i), 0);
      const sealed = await sealSegment(seg, { tableDir: ${JSON.stringify(dir)}, endOfShard: false, onInlineFallback: (why) => { console.error(why); process.exit(2); } });
      console.log(JSON.stringify({ rows: sealed.numDocs, worker: defaultSealWorker().state }));
    `;
    const started = Date.now();
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ rows: 50_000, worker: 'ready' });
    // Exits on its own (no close call): the idle worker is unref'd.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await readdir(dir)).toEqual(['t__0__0__20240101T0000Z.seg']);
  });
});

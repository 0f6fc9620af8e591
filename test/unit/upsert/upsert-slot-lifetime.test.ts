import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSegment } from '../../../src/segment/index.js';
import { tempDir } from '../segment/fixtures.js';
import { fullSettings, UpsertHarness } from './upsert-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage after the current job, when WeakRefs taken in it may be cleared. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}

describe('the key map lets go of segments it no longer reads', () => {
  it('a sealed consuming segment (its rows in memory) can be collected once sealed', async () => {
    const h = new UpsertHarness(dir, fullSettings());
    for (let i = 0; i < 200; i++) h.put(0, { k: `k${i % 50}`, ts: BigInt(i), clicks: BigInt(i), note: `n${i}` });
    const consuming = new WeakRef(h.segment(0));
    await h.seal(0);
    h.put(1, { k: 'other', ts: 1n, clicks: 1n, note: 'p1' });
    await collect();
    expect(consuming.deref()).toBeUndefined();
    expect(await h.query('SELECT COUNT(*), SUM(clicks) FROM kv')).toEqual([[51, 50 * 150 + (49 * 50) / 2 + 1]]);
  });

  it('a retired segment can be collected', async () => {
    const h = new UpsertHarness(dir, fullSettings());
    h.put(0, { k: 'a', ts: 1n, clicks: 1n, note: 'a' });
    await h.seal(0);
    const retired = new WeakRef(h.sealed[0]!);
    const name = h.sealed[0]!.name;
    h.sealed = [];
    h.keyMap.retired([name]);
    await collect();
    expect(retired.deref()).toBeUndefined();
    expect(h.keyMap.counters).toMatchObject({ keys: 0, keysRemovedWithSegments: 1 });
  });

  it('PARTIAL: after a reload the merge reads the new segment object, and the old one can be collected', async () => {
    const h = new UpsertHarness(dir, fullSettings({ mode: 'PARTIAL', partialUpsertStrategies: { clicks: 'INCREMENT', tags: 'UNION' } }));
    h.put(0, { k: 'a', ts: 1n, clicks: 10n, note: 'first', tags: ['x'] });
    await h.seal(0);
    const path = h.sealed[0]!.path;
    const old = new WeakRef(h.sealed[0]!);
    h.sealed[0]!.close();
    h.sealed = [await openSegment(path)];
    h.keyMap.refreshViews(h.sealed);
    await collect();
    expect(old.deref()).toBeUndefined();
    h.put(0, { k: 'a', ts: 2n, clicks: 5n, tags: ['y'] });
    expect(await h.query('SELECT k, clicks, note, tags FROM kv')).toEqual([['a', 15, 'first', ['x', 'y']]]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateFooter } from '../../../src/segment/format/footer.js';
import { openSegment, sealPermutation } from '../../../src/segment/index.js';
import { fullSettings, UpsertHarness } from '../upsert/upsert-harness.js';
import { tempDir } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe("the footer's optional upsert field", () => {
  it('records the commit order and tie losers in file doc order; files without it stay readable', async () => {
    const h = new UpsertHarness(dir, fullSettings());
    // Sorted by note: arrival order a1 (note z), a2 (note y, same ts: a tie a1 loses), b (note x).
    h.put(0, { k: 'a', ts: 5n, clicks: 1n, note: 'z' });
    h.put(0, { k: 'a', ts: 5n, clicks: 2n, note: 'y' });
    h.put(0, { k: 'b', ts: 1n, clicks: 3n, note: 'x' });
    expect(sealPermutation(h.segment(0).snapshot(), h.indexing)).toEqual(new Int32Array([2, 1, 0]));
    await h.seal(0);
    h.put(0, { k: 'c', ts: 1n, clicks: 4n, note: 'w' });
    await h.seal(0);
    const [first, second] = await Promise.all(h.sealed.map((s) => openSegment(s.path)));
    expect(first!.footer.upsert).toEqual({ commitOrder: 0, tieLosers: [2] });
    expect(first!.getValue('clicks', 2)).toBe(1n);
    expect(second!.footer.upsert).toEqual({ commitOrder: 1, tieLosers: [] });
    const { upsert: _, ...old } = first!.footer;
    expect(validateFooter(JSON.parse(JSON.stringify(old)), Number.MAX_SAFE_INTEGER).upsert).toBeUndefined();
  });

  it('a malformed upsert field makes the footer invalid', async () => {
    const h = new UpsertHarness(dir, fullSettings());
    h.put(0, { k: 'a', ts: 5n, note: 'z' });
    await h.seal(0);
    const footer = JSON.parse(JSON.stringify(h.sealed[0]!.footer));
    expect(() => validateFooter({ ...footer, upsert: { commitOrder: -1, tieLosers: [] } }, Number.MAX_SAFE_INTEGER)).toThrow('footer: upsert is malformed');
    expect(() => validateFooter({ ...footer, upsert: { commitOrder: 0, tieLosers: [7] } }, Number.MAX_SAFE_INTEGER)).toThrow('footer: upsert.tieLosers holds a bad doc id');
  });

  it('several comparison columns: a replay section with each row by arrival and its deciding column', async () => {
    const h = new UpsertHarness(dir, fullSettings({ comparisonColumns: ['clicks', 'ts'] }));
    h.put(0, { k: 'a', clicks: 5n, ts: 1n, note: 'z' }); // decided by clicks (position 0)
    h.put(0, { k: 'a', clicks: null, ts: 3n, note: 'x' }); // by ts (position 1)
    h.put(0, { k: 'b', clicks: 1n, ts: 1n, note: 'y' });
    await h.seal(0);
    const file = await openSegment(h.sealed[0]!.path);
    expect(file.footer.upsert).toMatchObject({ commitOrder: 0, tieLosers: [], replay: { rawLength: 15 } });
    const bytes = file.upsertReplay()!;
    // Arrival 0, 1, 2 are file docs 2, 0, 1 (sorted by note x, y, z).
    expect([...new Int32Array(bytes.slice(0, 12).buffer)]).toEqual([2, 0, 1]);
    expect([...bytes.subarray(12)]).toEqual([0, 1, 0]);
    const footer = JSON.parse(JSON.stringify(file.footer));
    expect(() => validateFooter({ ...footer, upsert: { ...footer.upsert, replay: { ...footer.upsert.replay, rawLength: 14 } } }, Number.MAX_SAFE_INTEGER)).toThrow('footer: upsert.replay holds 14 bytes, expected 15');
  });
});

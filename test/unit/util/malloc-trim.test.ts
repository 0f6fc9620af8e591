import { describe, expect, it, vi } from 'vitest';
import { collectGarbage } from '../../../src/segment/reader/collect-garbage.js';
import { mallocTrimUnavailable, trimMalloc } from '../../../src/util/malloc-trim.js';

const MIB = 1024 * 1024;

describe('trimMalloc (native/malloc-trim, built by npm install / npm run build)', () => {
  it('is built and loads on this machine (Linux, glibc): a missing build fails here, never silently', () => {
    expect(process.platform).toBe('linux');
    expect(mallocTrimUnavailable()).toBeUndefined();
  });

  it('returns freed pages glibc kept in its heap to the system', async () => {
    // 4,000 sections of 48 KiB (below glibc's mmap threshold, so they come from the heap), every
    // other one kept: the freed half leaves holes the allocator keeps until it is trimmed.
    const all: ArrayBuffer[] = [];
    for (let i = 0; i < 4000; i++) new Uint8Array((all[i] = new ArrayBuffer(48 * 1024))).fill(1);
    const kept = all.filter((_, i) => i % 2 === 0);
    const held = process.memoryUsage().arrayBuffers;
    all.length = 0;
    expect(collectGarbage()).toBe(true);
    // V8 frees collected buffers' memory on a helper thread: wait until Node's count shows them gone.
    for (let i = 0; i < 200 && process.memoryUsage().arrayBuffers > held - 80 * MIB; i++) await new Promise((r) => setTimeout(r, 10));
    expect(process.memoryUsage().arrayBuffers).toBeLessThan(held - 80 * MIB);
    const before = process.memoryUsage.rss();
    expect(trimMalloc()).toBe(true);
    const after = process.memoryUsage.rss();
    expect(before - after).toBeGreaterThan(32 * MIB); // ~94 MiB were freed
    expect(kept.every((b) => new Uint8Array(b)[48 * 1024 - 1] === 1)).toBe(true); // live memory untouched
  });
});

describe('trimMalloc where the helper is not built', () => {
  it('does nothing, says why, and resolves false (the server runs on without it)', async () => {
    vi.resetModules();
    vi.doMock('node:fs', async (importOriginal) => ({ ...(await importOriginal<typeof import('node:fs')>()), existsSync: () => false }));
    try {
      const m = await import('../../../src/util/malloc-trim.js');
      expect(m.mallocTrimUnavailable()).toMatch(/native\/malloc-trim is not built \(npm install or npm run build builds it\)/);
      expect(m.trimMalloc()).toBe(false);
      await expect(m.trimMallocAsync()).resolves.toBe(false);
    } finally {
      vi.doUnmock('node:fs');
      vi.resetModules();
    }
  });
});

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { collectGarbage } from '../../../src/segment/reader/collect-garbage.js';
import { fixMmapThreshold, mallocTrimUnavailable, trimMalloc } from '../../../src/util/malloc-trim.js';

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

/**
 * In a fresh process (glibc serves a request from free heap chunks before it maps anything,
 * whatever the threshold, so this test's own heap history would decide the outcome): fixes the
 * mmap threshold at `thresholdBytes` through the built helper, allocates 2,000 sections of 80 KiB,
 * frees every other one, collects, and prints how far resident memory fell with no trim.
 */
function rssFallWithoutTrim(thresholdBytes: number): number {
  const addon = fileURLToPath(new URL('../../../native/malloc-trim/build/Release/malloc_trim.node', import.meta.url));
  const script = `
    const addon = require(${JSON.stringify(addon)});
    if (!addon.mmapThreshold(${thresholdBytes})) throw new Error('mmapThreshold refused');
    const all = [];
    for (let i = 0; i < 2000; i++) new Uint8Array((all[i] = new ArrayBuffer(80 * 1024))).fill(1);
    const kept = all.filter((_, i) => i % 2 === 0);
    const before = process.memoryUsage.rss();
    all.length = 0;
    gc();
    const wait = () => process.memoryUsage().arrayBuffers > 1000 * 80 * 1024 * 1.2 ? setTimeout(wait, 10) : done();
    const done = () => {
      if (!kept.every((b) => new Uint8Array(b)[80 * 1024 - 1] === 1)) throw new Error('a kept section changed');
      console.log(before - process.memoryUsage.rss());
    };
    wait();`;
  return Number(execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' }).trim());
}

describe('fixMmapThreshold (mallopt M_MMAP_THRESHOLD)', () => {
  it('maps sections of at least the threshold apart, so freeing them returns their memory with no trim', () => {
    // 64 KiB (what the block cache's reclaimer sets): each section is its own mapping, unmapped
    // when V8 frees it — ~78 MiB back at once.
    expect(rssFallWithoutTrim(64 * 1024)).toBeGreaterThan(56 * MIB);
    // 32 MiB (where glibc's own threshold rises to): the sections come from the heap, and the
    // freed half stays resident (holes between kept sections) until a trim.
    expect(rssFallWithoutTrim(32 * MIB)).toBeLessThan(24 * MIB);
  });

  it('refuses a threshold that is not a positive number of bytes, or too large for mallopt', () => {
    expect(() => fixMmapThreshold(0)).toThrow(/mmapThreshold: expects a positive number of bytes/);
    expect(() => fixMmapThreshold(2 ** 32)).toThrow(/mmapThreshold: expects a positive number of bytes, at most 2\^31 - 1/);
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
      expect(m.fixMmapThreshold(64 * 1024)).toBe(false);
      await expect(m.trimMallocAsync()).resolves.toBe(false);
    } finally {
      vi.doUnmock('node:fs');
      vi.resetModules();
    }
  });
});

describe('fixMmapThreshold with a helper built before it existed', () => {
  it('does nothing and answers false (an old build whose rebuild failed; the trims still work)', async () => {
    vi.resetModules();
    // A stand-in for the older build's exports: what it had (trim, trimAsync, supported), no mmapThreshold.
    const oldBuild = { trim: () => true, trimAsync: () => Promise.resolve(true), supported: () => true };
    vi.doMock('node:module', async (importOriginal) => ({ ...(await importOriginal<typeof import('node:module')>()), createRequire: () => () => oldBuild }));
    try {
      const m = await import('../../../src/util/malloc-trim.js');
      expect(m.mallocTrimUnavailable()).toBeUndefined();
      expect(m.fixMmapThreshold(64 * 1024)).toBe(false);
      expect(m.trimMalloc()).toBe(true);
    } finally {
      vi.doUnmock('node:module');
      vi.resetModules();
    }
  });
});

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface MallocTrimAddon {
  trim(): boolean;
  trimAsync(): Promise<boolean>;
  supported(): boolean;
  /** Absent from a helper built before it existed. */
  mmapThreshold?(bytes: number): boolean;
}

/** Where the addon is built (`scripts/build-native.mjs`), from `src/util/` and from `dist/src/util/`. */
const CANDIDATES = ['../..', '../../..'].map((up) => join(dirname(fileURLToPath(import.meta.url)), up, 'native', 'malloc-trim', 'build', 'Release', 'malloc_trim.node'));

let addon: MallocTrimAddon | null | undefined;
let why = '';

function load(): MallocTrimAddon | null {
  if (addon !== undefined) return addon;
  const path = CANDIDATES.find((p) => existsSync(p));
  if (path === undefined) {
    why = 'native/malloc-trim is not built (npm install or npm run build builds it)';
    return (addon = null);
  }
  try {
    const loaded = createRequire(import.meta.url)(path) as MallocTrimAddon;
    addon = loaded.supported() ? loaded : null;
    if (addon === null) why = 'not glibc: the allocator is not trimmed';
  } catch (err) {
    why = `native/malloc-trim did not load: ${err instanceof Error ? err.message : String(err)}`;
    addon = null;
  }
  return addon;
}

/**
 * Returns the pages glibc's allocator holds free to the system (`malloc_trim(0)`, every arena);
 * true when some were. False, and nothing done, where the native helper is not built or the C
 * library is not glibc ({@link mallocTrimUnavailable} says why). Takes milliseconds on a heap of
 * a GiB: call it after memory was freed in bulk, not per allocation.
 */
export function trimMalloc(): boolean {
  const a = load();
  return a === null ? false : a.trim();
}

/**
 * {@link trimMalloc} on a libuv thread: the JavaScript thread runs on while glibc walks its heap
 * (tens of ms at a GiB). Resolves true when memory was returned; false, at once, where it cannot run.
 */
export function trimMallocAsync(): Promise<boolean> {
  const a = load();
  return a === null ? Promise.resolve(false) : a.trimAsync();
}

/**
 * Fixes glibc's mmap threshold at `bytes` (`mallopt(M_MMAP_THRESHOLD)`, process-wide): every
 * allocation of at least that size gets its own mapping, which goes back to the system the moment
 * it is freed. glibc's own threshold starts at 128 KiB and rises to the largest mapped chunk freed
 * (up to 32 MiB), after which a server's decoded sections all land in its heap, where freed ones
 * leave holes only {@link trimMalloc} returns (docs/decisions.md, "Freed memory returned to the
 * system"). True when set; false, and nothing done, where the helper cannot run.
 */
export function fixMmapThreshold(bytes: number): boolean {
  const a = load();
  // A helper built from an older source (its rebuild failed) has no mmapThreshold: nothing done.
  return a === null || typeof a.mmapThreshold !== 'function' ? false : a.mmapThreshold(bytes);
}

/** Why {@link trimMalloc} does nothing here, or undefined when it works. */
export function mallocTrimUnavailable(): string | undefined {
  return load() === null ? why : undefined;
}

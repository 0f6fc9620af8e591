import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the shared Pinot conformance data lives: `../shared/pinot-conformance` next to the repo
 * root (CI has it at the same relative path). The repo root is found by walking up from this file
 * to the nearest `package.json`, so the path is right both from `test/conformance/lib/` (vitest)
 * and from `dist/test/conformance/lib/` (the compiled `npm run conformance` CLI).
 */
function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
}

const here = import.meta.dirname ?? dirname(fileURLToPath(import.meta.url));

export const REPO_ROOT = findRepoRoot(here);
/** `../shared/pinot-conformance` relative to the repo root; `SHARDTABLE_CONFORMANCE_DIR` overrides. */
export const CONFORMANCE_DIR = resolve(process.env.SHARDTABLE_CONFORMANCE_DIR ?? join(REPO_ROOT, '..', 'shared', 'pinot-conformance'));
export const COMPAT_CONFIG_DIR = join(CONFORMANCE_DIR, 'compat', 'sample-test-suite', 'config');
export const AIRLINE_DIR = join(CONFORMANCE_DIR, 'airline');

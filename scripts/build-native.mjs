// Builds shardtable's one native helper, native/malloc-trim (glibc's malloc_trim for Node, see
// docs/decisions.md "Freed memory returned to the system"), with the node-gyp that npm ships.
// Run by `npm run build` and so by the `prepare` step of `npm install`; offline, about a second,
// and skipped when the built addon is newer than its sources. A failed build is reported, not
// fatal: the server then runs without returning freed memory (`src/util/malloc-trim.ts` says so).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native', 'malloc-trim');
const built = join(dir, 'build', 'Release', 'malloc_trim.node');
const sources = ['malloc-trim.c', 'binding.gyp'].map((f) => join(dir, f));

if (existsSync(built) && sources.every((s) => statSync(s).mtimeMs <= statSync(built).mtimeMs)) process.exit(0);

// npm passes its node-gyp to scripts; run directly, use the one inside npm's own install.
const npmGyp = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = process.env.npm_config_node_gyp ?? npmGyp;
const args = [gyp, 'rebuild', '--directory', dir, '--loglevel', 'warn'];
// Build against this Node's own headers when they are installed beside it (no download: offline).
const nodedir = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodedir}`);

const result = existsSync(gyp) ? spawnSync(process.execPath, args, { stdio: 'inherit' }) : { status: null, error: new Error(`node-gyp not found at ${gyp}`) };
if (result.status !== 0) {
  const why = result.error?.message ?? `node-gyp exited with ${result.status}`;
  console.warn(`shardtable: the native helper native/malloc-trim did not build (${why}); the server runs without returning freed memory to the system (docs/operations.md)`);
}

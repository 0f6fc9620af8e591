/**
 * Starting a worker thread from a module of this package: which script to run, and which of the
 * parent's Node options it inherits.
 *
 * The compiled build runs `dist/**.js` workers as they are. Under vitest, which runs `src/**.ts`
 * directly, the worker's script is a TypeScript file that Node 20 cannot load (vitest's
 * transform does not reach into `new Worker(...)`). Then the worker starts from a small
 * bootstrap (a `data:` URL) that registers module hooks and imports the entry: `./x.js` imports
 * resolve to `./x.ts` when only the source exists, and `.ts` files are transpiled with esbuild (a
 * dependency of vitest, so present wherever tests run). If esbuild cannot be loaded the worker
 * fails to start, and its owner falls back as for any start failure.
 */

const HOOKS = `
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
let esbuild;
export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (parent !== undefined && parent.startsWith('file:') && parent.endsWith('.ts') && /^\\.\\.?\\//.test(specifier) && specifier.endsWith('.js')) {
    const source = new URL(specifier.slice(0, -3) + '.ts', parent);
    if (existsSync(fileURLToPath(source))) return { url: source.href, shortCircuit: true };
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  esbuild ??= createRequire(url)('esbuild');
  const path = fileURLToPath(url);
  const { code } = esbuild.transformSync(readFileSync(path, 'utf8'), {
    loader: 'ts', format: 'esm', target: 'node20', sourcefile: path, sourcemap: 'inline',
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
  });
  return { format: 'module', source: code, shortCircuit: true };
}`;

function dataUrl(source: string): URL {
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/**
 * The script to pass to `new Worker(...)` for `entry`: `entry` itself when it is JavaScript, else
 * a bootstrap that loads the TypeScript file (see above).
 *
 * @example
 *   new Worker(workerScript(new URL('./my-worker.ts', import.meta.url)));
 */
export function workerScript(entry: URL): URL {
  if (!entry.pathname.endsWith('.ts')) return entry;
  return dataUrl(`
import { register } from 'node:module';
register(${JSON.stringify(dataUrl(HOOKS).href)});
await import(${JSON.stringify(entry.href)});
`);
}

/** Options that only make sense for the main script (`node --input-type=module -e ...`). */
const MAIN_ONLY = new Set(['--input-type', '-e', '--eval', '-p', '--print']);

/**
 * The Node options to start a worker with: `undefined` (inherit the parent's, as workers do by
 * default) unless the parent has options that apply to the main script only — `--input-type`,
 * for one, makes a file-based worker fail to start when the parent ran
 * `node --input-type=module -e ...`. Then the parent's options without those; a worker refuses
 * an explicit V8 or per-process option (`--max-old-space-size`), so the caller retries with none
 * if this list is refused (`ERR_WORKER_INVALID_EXEC_ARGV`).
 */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] | undefined {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i]!;
    const name = arg.split('=', 1)[0]!;
    if (!MAIN_ONLY.has(name)) out.push(arg);
    else if (!arg.includes('=')) i++; // its value is the next argument
  }
  return out.length === parent.length ? undefined : out;
}

// Bundles the web console (console/) into dist/console/: index.html, app.js, app.css.
// Run by `npm run build` and so by the `prepare` step of `npm install`; offline, about a second.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'console');
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: join(root, 'console', 'src', 'main.ts') },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outdir: out,
  logLevel: 'warning',
  legalComments: 'linked',
});
await copyFile(join(root, 'console', 'index.html'), join(out, 'index.html'));

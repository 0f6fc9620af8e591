import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/**
 * Where `npm run build` (the `prepare` step) writes the web console bundle: `dist/console/` under
 * the package root. The root is found by walking up to `package.json`, so the same answer comes
 * from `src/` (tests) and from `dist/src/` (the built server).
 */
export function consoleAssetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(dir, 'dist', 'console');
}

const NOT_BUILT = 'the web console is not built: run `npm run build` (npm install builds it)';

/**
 * The web console at `/`: static files of the bundle (index.html, app.js, app.css), each its own
 * route (no wildcard), so every other path still gets the API's Pinot-shaped 404. The console is a
 * client of the API like any other; nothing here serves data. Without a bundle `/` answers 503.
 */
export const consoleRoutes: FastifyPluginAsync<{ assetsDir?: string }> = async (app, options) => {
  const root = options.assetsDir ?? consoleAssetsDir();
  if (!existsSync(join(root, 'index.html'))) {
    app.get('/', async (_request, reply) => reply.code(503).send({ code: 503, error: NOT_BUILT }));
    return;
  }
  await app.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: ['index.html'], cacheControl: false });
};

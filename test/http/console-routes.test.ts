import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { TableManager } from '../../src/table/table-manager.js';
import { recordingRuntimeFactory } from '../helpers/recording-runtime-factory.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function appWith(assetsDir: string) {
  const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-console-http-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const manager = new TableManager({ dataDir, runtimeFactory: recordingRuntimeFactory().factory });
  await manager.start();
  const app = buildApp({ manager, consoleAssetsDir: assetsDir });
  cleanups.push(() => app.close());
  await app.ready();
  return app;
}

/** The web console's static files at `/`, beside the API. */
describe('web console routes', () => {
  it('serves index.html at / and the bundle files; other paths keep the API 404', async () => {
    const assets = await mkdtemp(join(tmpdir(), 'shardtable-console-assets-'));
    cleanups.push(() => rm(assets, { recursive: true, force: true }));
    await writeFile(join(assets, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(assets, 'app.js'), 'console.log(1)');
    await writeFile(join(assets, 'app.css'), 'body{}');
    const app = await appWith(assets);

    const index = await app.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.body).toContain('<title>console</title>');
    const script = await app.inject({ method: 'GET', url: '/app.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect((await app.inject({ method: 'GET', url: '/app.css' })).headers['content-type']).toMatch(/^text\/css/);

    const missing = await app.inject({ method: 'GET', url: '/no-such-file.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 404 });
    expect((await app.inject({ method: 'GET', url: '/../package.json' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/tables' })).json()).toEqual({ tables: [] });
  });

  it('answers 503 with how to build it when the bundle is missing', async () => {
    const app = await appWith(join(tmpdir(), 'shardtable-no-console-here'));
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ code: 503, error: expect.stringContaining('npm run build') });
  });
});

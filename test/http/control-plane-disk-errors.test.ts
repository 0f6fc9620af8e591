import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { Catalog } from '../../src/table/catalog.js';
import { TableManager } from '../../src/table/table-manager.js';
import { writeFileAtomic } from '../../src/util/atomic-file.js';
import { eventsSchema, eventsTableConfig } from '../helpers/pinot-config-fixtures.js';
import { recordingRuntimeFactory } from '../helpers/recording-runtime-factory.js';

/*
 * A full disk under the catalog. The failing writes are real: while `diskFull` is set, the
 * catalog writes its files to /dev/full, and the kernel answers ENOSPC as a full disk does.
 */

let dataDir: string;
let app: FastifyInstance;
let diskFull: boolean;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'shardtable-enospc-'));
  diskFull = false;
  const catalog = new Catalog(dataDir, {
    writeFile: (path, data, options) => (diskFull ? writeFile('/dev/full', data) : writeFileAtomic(path, data, options)),
  });
  const manager = new TableManager({ dataDir, runtimeFactory: recordingRuntimeFactory().factory, catalog });
  await manager.start();
  app = buildApp({ manager });
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('disk full on control-plane writes', () => {
  it('POST /tables says ENOSPC and which file could not be saved, changes nothing, and works once there is space', async () => {
    expect((await app.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() })).statusCode).toBe(200);
    diskFull = true;
    const response = await app.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      code: 500,
      error: expect.stringMatching(/^could not save table config events \(_catalog\/tables\/events\.json\): ENOSPC: no space left on device/),
    });
    expect((await app.inject({ method: 'GET', url: '/tables' })).json()).toEqual({ tables: [] });
    expect(await readdir(join(dataDir, '_catalog', 'tables'))).toEqual([]);

    diskFull = false;
    expect((await app.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() })).statusCode).toBe(200);
  });

  it('POST /schemas and pauseConsumption say ENOSPC and what they could not save', async () => {
    diskFull = true;
    const schema = await app.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    expect(schema.statusCode).toBe(500);
    expect(schema.json().error).toMatch(/^could not save schema events \(_catalog\/schemas\/events\.json\): ENOSPC/);
    expect((await app.inject({ method: 'GET', url: '/schemas' })).json()).toEqual([]);

    diskFull = false;
    await app.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    await app.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    diskFull = true;
    const pause = await app.inject({ method: 'POST', url: '/tables/events/pauseConsumption' });
    expect(pause.statusCode).toBe(500);
    expect(pause.json().error).toMatch(/^could not save pause flag of table events \(_catalog\/paused\/events\.json\): ENOSPC/);
  });
});

import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../src/table/catalog.js';
import { eventsSchema, eventsTableConfig, TEST_SECRET_KEY } from '../../helpers/pinot-config-fixtures.js';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'shardtable-catalog-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('Catalog', () => {
  it('round-trips schemas, tables and paused flags through disk', async () => {
    const catalog = new Catalog(dataDir);
    await catalog.putSchema('events', eventsSchema());
    await catalog.putTable('events', eventsTableConfig());
    await catalog.setPaused('events', true);

    const reloaded = await new Catalog(dataDir).load();
    expect(reloaded.schemas.get('events')).toEqual(eventsSchema());
    expect(reloaded.tables.get('events')).toEqual(eventsTableConfig());
    expect([...reloaded.paused]).toEqual(['events']);
    expect(reloaded.problems).toEqual([]);
  });

  it('writes where documented, mode 0600, secrets kept (the user\'s own disk)', async () => {
    const catalog = new Catalog(dataDir);
    await catalog.putTable('events', eventsTableConfig());
    const path = join(dataDir, '_catalog', 'tables', 'events.json');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toContain(TEST_SECRET_KEY);
    expect(catalog.tableDir('events')).toBe(join(dataDir, 'events'));
    expect(await readdir(join(dataDir, '_catalog', 'tables'))).toEqual(['events.json']);
  });

  it('replaces a file atomically and deletes entries', async () => {
    const catalog = new Catalog(dataDir);
    await catalog.putSchema('s', { v: 1 });
    await catalog.putSchema('s', { v: 2 });
    expect((await catalog.load()).schemas.get('s')).toEqual({ v: 2 });
    await catalog.deleteSchema('s');
    await catalog.deleteSchema('s');
    await catalog.putTable('t', { a: 1 });
    await catalog.setPaused('t', true);
    await catalog.deleteTable('t');
    const contents = await catalog.load();
    expect(contents.schemas.size + contents.tables.size + contents.paused.size).toBe(0);
  });

  it('loads an empty or missing data dir as an empty catalog', async () => {
    const contents = await new Catalog(join(dataDir, 'nothing-here')).load();
    expect(contents.schemas.size).toBe(0);
    expect(contents.tables.size).toBe(0);
  });

  it('reports a corrupt file, cleans leftover temporary files, and loads the rest', async () => {
    const catalog = new Catalog(dataDir);
    await catalog.putSchema('good', { ok: true });
    const dir = join(dataDir, '_catalog', 'schemas');
    await writeFile(join(dir, 'bad.json'), '{"half": ');
    await writeFile(join(dir, 'good.json.tmp-1-abc'), 'partial');
    const contents = await catalog.load();
    expect([...contents.schemas.keys()]).toEqual(['good']);
    expect(contents.problems).toHaveLength(1);
    expect(contents.problems[0]!.path).toContain('bad.json');
    expect((await readdir(dir)).sort()).toEqual(['bad.json', 'good.json']);
  });
});

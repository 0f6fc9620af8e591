import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ShardtableError } from '../../../src/errors.js';
import { PermanentStreamError, TransientStreamError } from '../../../src/spi/partition-consumer.js';
import { TableManager } from '../../../src/table/table-manager.js';
import { consumingSegmentName, recordingRuntimeFactory, sealedSegmentName } from '../../helpers/recording-runtime-factory.js';
import type { RecordingRuntimeFactory } from '../../helpers/recording-runtime-factory.js';
import { eventsSchema, eventsTableConfig, TEST_ACCESS_KEY, TEST_SECRET_KEY } from '../../helpers/pinot-config-fixtures.js';

let dataDir: string;
let recorder: RecordingRuntimeFactory;
let logLines: string[];
const managers: TableManager[] = [];

function newManager(): TableManager {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const manager = new TableManager({ dataDir, runtimeFactory: recorder.factory, logger: pino({ level: 'debug' }, stream) });
  managers.push(manager);
  return manager;
}

async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<ShardtableError> {
  try {
    if (typeof promise === 'function') promise();
    else await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ShardtableError);
    return error as ShardtableError;
  }
  throw new Error('expected a ShardtableError');
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'shardtable-manager-'));
  recorder = recordingRuntimeFactory();
  logLines = [];
});

afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.close().catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
});

describe('TableManager schemas', () => {
  it('adds, lists, gets and deletes schemas', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addSchema(eventsSchema('other'));
    expect(manager.listSchemas()).toEqual(['events', 'other']);
    expect(manager.getSchema('events').schemaName).toBe('events');
    expect(manager.getTableSchema('events').columns).toHaveLength(4);
    await manager.deleteSchema('other');
    expect(manager.listSchemas()).toEqual(['events']);
  });

  it('rejects duplicates (409) unless override, and unknown names (404)', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    expect((await rejection(manager.addSchema(eventsSchema()))).errorName).toBe('SCHEMA_EXISTS');
    const changed = { ...eventsSchema(), metricFieldSpecs: [{ name: 'clicks', dataType: 'INT' }] };
    await manager.addSchema(changed, { override: true });
    expect(manager.getSchema('events').metricFieldSpecs?.[0]?.dataType).toBe('INT');
    expect((await rejection(() => manager.getSchema('nope'))).errorName).toBe('SCHEMA_NOT_FOUND');
    expect((await rejection(manager.deleteSchema('nope'))).status).toBe(404);
  });

  it('refuses to delete a schema a table uses (409 SCHEMA_IN_USE) or to change it incompatibly (400 SCHEMA_INCOMPATIBLE); the unchanged schema may be re-sent', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addTable(eventsTableConfig());
    const error = await rejection(manager.deleteSchema('events'));
    expect(error.errorName).toBe('SCHEMA_IN_USE');
    expect(error.message).toBe('schema events is used by table events; delete the table first');
    const removed = await rejection(manager.updateSchema('events', { ...eventsSchema(), metricFieldSpecs: [] }));
    expect(removed.errorName).toBe('SCHEMA_INCOMPATIBLE');
    expect(removed.status).toBe(400);
    expect(removed.message).toContain('column clicks was removed');
    expect((await rejection(manager.addSchema({ ...eventsSchema(), metricFieldSpecs: [{ name: 'clicks', dataType: 'DOUBLE' }] }, { override: true }))).message).toContain(
      'column clicks: data type LONG changed to DOUBLE',
    );
    expect((await manager.updateSchema('events', eventsSchema())).schemaName).toBe('events');
    expect((await rejection(manager.updateSchema('events', eventsSchema('x')))).errorName).toBe('NAME_MISMATCH');
    // Nothing was restarted by the refused or unchanged uploads.
    expect(recorder.latest('events')!.calls).toEqual(['start']);
  });

  it('adds columns to a schema a table uses: stores it, and restarts the table on it (also when paused, which it stays)', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addTable(eventsTableConfig());
    await manager.pause('events');
    const first = recorder.latest('events')!;
    const evolved = { ...eventsSchema(), dimensionFieldSpecs: [...(eventsSchema().dimensionFieldSpecs as object[]), { name: 'region', dataType: 'STRING' }] };
    await manager.updateSchema('events', evolved);
    expect(first.calls).toEqual(['start', 'pause', 'forceCommit', 'stop']);
    const second = recorder.latest('events')!;
    expect(second).not.toBe(first);
    expect(second.calls).toEqual(['start', 'pause']);
    expect(second.schema.columns.map((c) => c.name)).toContain('region');
    expect(manager.getRuntime('events')!.schema.columnIndex.has('region')).toBe(true);
    expect(manager.tableState('events').state).toBe('PAUSED');
    await manager.close();

    const restarted = newManager();
    await restarted.start();
    expect(recorder.latest('events')!.schema.columnIndex.has('region')).toBe(true);
  });
});

describe('TableManager tables', () => {
  it('adds a table: validates, persists, builds and starts its runtime', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    const config = await manager.addTable(eventsTableConfig());
    expect(config.tableName).toBe('events');
    expect(manager.listTables()).toEqual(['events']);
    const runtime = recorder.latest('events')!;
    expect(runtime.calls).toEqual(['start']);
    expect(runtime.tableDir).toBe(join(dataDir, 'events'));
    expect((await stat(runtime.tableDir)).isDirectory()).toBe(true);
    expect(manager.getRuntime('events_REALTIME')).toBe(runtime);
    const stored = await readFile(join(dataDir, '_catalog', 'tables', 'events.json'), 'utf8');
    expect(stored).toContain(TEST_SECRET_KEY);
  });

  it('needs the schema first, found by raw table name or segmentsConfig.schemaName', async () => {
    const manager = newManager();
    await manager.start();
    const error = await rejection(manager.addTable(eventsTableConfig()));
    expect(error.errorName).toBe('INVALID_TABLE_CONFIG');
    expect(error.message).toContain('tableName: no schema named events; POST /schemas first');
    await manager.addSchema(eventsSchema('shared'));
    const json = eventsTableConfig('clicks');
    (json.segmentsConfig as Record<string, unknown>).schemaName = 'shared';
    await manager.addTable(json);
    expect((await rejection(manager.deleteSchema('shared'))).errorName).toBe('SCHEMA_IN_USE');
  });

  it('returns configs redacted, and 404 / 409 for unknown and duplicate names', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addTable(eventsTableConfig());
    const shown = JSON.stringify(manager.getTable('events'));
    expect(shown).not.toContain(TEST_SECRET_KEY);
    expect(shown).not.toContain(TEST_ACCESS_KEY);
    expect(manager.getTableConfig('events').stream.properties.secretKey).toBe(TEST_SECRET_KEY);
    expect((await rejection(manager.addTable(eventsTableConfig('events_REALTIME')))).errorName).toBe('TABLE_EXISTS');
    expect((await rejection(() => manager.getTable('nope'))).errorName).toBe('TABLE_NOT_FOUND');
  });

  it('rolls back a table whose stream cannot be read and names the stream (400 STREAM_UNREACHABLE)', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    recorder.failStart = () => new PermanentStreamError(`Stream events-stream not found; Credential=${TEST_ACCESS_KEY}`);
    const error = await rejection(manager.addTable(eventsTableConfig()));
    expect(error.errorName).toBe('STREAM_UNREACHABLE');
    expect(error.status).toBe(400);
    expect(error.message).toContain('stream kinesis:events-stream cannot be read: Stream events-stream not found');
    expect(error.message).not.toContain(TEST_ACCESS_KEY);
    expect(manager.listTables()).toEqual([]);
    expect((await new TableManager({ dataDir, runtimeFactory: recorder.factory }).start()).tables).toEqual([]);
    await expect(stat(join(dataDir, 'events'))).rejects.toThrow();
    expect(recorder.latest('events')!.calls).toEqual(['start', 'stop']);
  });

  it('passes catalogue errors from the runtime through, and wraps others as 500', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    recorder.failStart = () => new ShardtableError('STREAM_CONFIG', { detail: 'shardIteratorType: must be one of ...' });
    expect((await rejection(manager.addTable(eventsTableConfig()))).errorName).toBe('STREAM_CONFIG');
    recorder.failStart = () => new Error('disk on fire');
    const error = await rejection(manager.addTable(eventsTableConfig()));
    expect(error.errorName).toBe('INTERNAL');
    expect(error.message).toContain('disk on fire');
  });

  it('updates a table: stops the old runtime, starts a new one on the same data dir', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addTable(eventsTableConfig());
    const first = recorder.latest('events')!;
    const json = eventsTableConfig('events_REALTIME');
    (json.tableIndexConfig as Record<string, any>).streamConfigs['realtime.segment.flush.threshold.rows'] = '42';
    const updated = await manager.updateTable('events', json);
    expect(updated.stream.flush.rows).toBe(42);
    expect(first.calls).toEqual(['start', 'stop']);
    const second = recorder.latest('events')!;
    expect(second).not.toBe(first);
    expect(second.calls).toEqual(['start']);
    expect(second.tableDir).toBe(first.tableDir);
    expect(manager.getTableConfig('events').stream.flush.rows).toBe(42);
  });

  it('keeps stored secrets when an update sends the redacted placeholder back', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addTable(eventsTableConfig());
    await manager.updateTable('events', manager.getTable('events'));
    expect(manager.getTableConfig('events').stream.properties.secretKey).toBe(TEST_SECRET_KEY);
  });

  it('restores the old config when the updated one cannot start', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addTable(eventsTableConfig());
    recorder.failStart = (config) => (config.stream.topicName === 'missing' ? new PermanentStreamError('no such stream') : undefined);
    const error = await rejection(manager.updateTable('events', eventsTableConfig('events', 'missing')));
    expect(error.errorName).toBe('STREAM_UNREACHABLE');
    expect(manager.getTableConfig('events').stream.topicName).toBe('events-stream');
    expect(manager.tableState('events').state).toBe('RUNNING');
    const reloaded = JSON.parse(await readFile(join(dataDir, '_catalog', 'tables', 'events.json'), 'utf8'));
    expect(reloaded.tableIndexConfig.streamConfigs['stream.kinesis.topic.name']).toBe('events-stream');
  });

  it('rejects updates of unknown tables and mismatched names', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addTable(eventsTableConfig());
    expect((await rejection(manager.updateTable('nope', eventsTableConfig('nope')))).errorName).toBe('TABLE_NOT_FOUND');
    expect((await rejection(manager.updateTable('events', eventsTableConfig('clicks')))).errorName).toBe('NAME_MISMATCH');
  });

  it('deletes a table: drops the runtime (data dir gone) and the catalog entry', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addTable(eventsTableConfig());
    await writeFile(join(dataDir, 'events', 'segment-file'), 'x');
    await manager.deleteTable('events_REALTIME');
    expect(recorder.latest('events')!.calls).toEqual(['start', 'drop']);
    expect(manager.listTables()).toEqual([]);
    await expect(stat(join(dataDir, 'events'))).rejects.toThrow();
    await manager.deleteSchema('events');
    expect((await rejection(manager.deleteTable('events'))).errorName).toBe('TABLE_NOT_FOUND');
  });

  it('serves segments, segment metadata and partitions from the runtime', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addTable(eventsTableConfig());
    expect(manager.segments('events').map((s) => s.segmentName)).toEqual([sealedSegmentName('events')]);
    expect(manager.segmentMetadata('events', sealedSegmentName('events'))['segment.total.docs']).toBe(10);
    expect(manager.segmentMetadata('events', consumingSegmentName('events'))).toMatchObject({ status: 'IN_PROGRESS', totalDocs: 3, partitionId: 0 });
    expect((await rejection(() => manager.segmentMetadata('events', 'nope'))).errorName).toBe('SEGMENT_NOT_FOUND');
    expect(manager.partitions('events')).toHaveLength(2);
  });

  it('pauses (force-committing, as Pinot does) and resumes, and keeps the pause and its comment across a restart', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addTable(eventsTableConfig());
    const paused = await manager.pause('events', { comment: 'reshard' });
    expect(paused).toEqual({
      pauseFlag: true,
      consumingSegments: [consumingSegmentName('events')],
      segmentsForceCommitted: [consumingSegmentName('events')],
      reasonCode: 'ADMINISTRATIVE',
      comment: 'reshard',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{1,3}$/),
    });
    expect(recorder.latest('events')!.calls).toEqual(['start', 'pause', 'forceCommit']);
    expect(manager.tableState('events').state).toBe('PAUSED');
    await manager.close();

    const restarted = newManager();
    await restarted.start();
    expect(recorder.latest('events')!.calls).toEqual(['start', 'pause']);
    expect(restarted.tableState('events').state).toBe('PAUSED');
    expect(restarted.pauseState('events')).toEqual({ paused: true, reasonCode: 'ADMINISTRATIVE', comment: 'reshard', timestamp: paused.timestamp });
    const resumed = await restarted.resume('events');
    expect(resumed).toMatchObject({ pauseFlag: false, reasonCode: 'ADMINISTRATIVE', comment: null });
    expect(restarted.pauseState('events')).toMatchObject({ paused: false, comment: null });
    expect(recorder.latest('events')!.calls).toEqual(['start', 'pause', 'resume']);
  });

  it('stops a runtime that started but could not re-apply its pause, instead of leaving it running unowned', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addTable(eventsTableConfig());
    await manager.pause('events');
    await manager.close();

    recorder.failPause = () => new Error('pause failed');
    const restarted = newManager();
    await restarted.start();
    const runtime = recorder.latest('events')!;
    expect(runtime.calls).toEqual(['start', 'pause', 'stop']);
    expect(runtime.running).toBe(false);
    expect(restarted.tableState('events')).toMatchObject({ state: 'FAILED' });
    recorder.failPause = undefined;
  });
});

describe('TableManager: a table waiting on its stream holds up only itself', () => {
  it('while one table\'s start waits, other tables, schemas and reads go on; a second POST of the same name is a 409 at once', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addSchema(eventsSchema('clicks'));
    await manager.addTable(eventsTableConfig('clicks', 'clicks-stream'));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    recorder.holdStart = (config) => (config.tableName === 'events' ? gate : undefined);
    let added = false;
    const adding = manager.addTable(eventsTableConfig()).then(() => (added = true));
    await new Promise((r) => setTimeout(r, 20));

    await manager.pause('clicks');
    await manager.resume('clicks');
    await manager.addSchema(eventsSchema('other'));
    expect((await rejection(manager.addTable(eventsTableConfig()))).errorName).toBe('TABLE_EXISTS');
    expect((await rejection(manager.deleteSchema('events'))).errorName).toBe('SCHEMA_IN_USE');
    await manager.deleteTable('clicks');
    expect(manager.listTables()).toEqual([]);
    expect(added).toBe(false);

    release();
    await adding;
    expect(manager.listTables()).toEqual(['events']);
  });

  it('boot starts runtimes without waiting for their streams, and close waits for starts in flight', async () => {
    const first = newManager();
    await first.start();
    await first.addSchema(eventsSchema());
    await first.addTable(eventsTableConfig());
    await first.close();

    const seen: unknown[] = [];
    recorder.holdStart = (_config, options) => {
      seen.push(options);
      return undefined;
    };
    const second = newManager();
    const starting = second.start();
    expect(second.starting).toBe(true);
    await starting;
    expect(second.starting).toBe(false);
    expect(seen).toEqual([{ waitForStream: false }]);
    expect(second.tableState('events')).toMatchObject({ state: 'RUNNING', error: null });
    await second.close();
    expect(recorder.latest('events')!.running).toBe(false);
  });
});

describe('TableManager start and close', () => {
  it('reloads schemas and tables from disk and starts every runtime', async () => {
    const first = newManager();
    await first.start();
    await first.addSchema(eventsSchema());
    await first.addSchema(eventsSchema('clicks'));
    await first.addTable(eventsTableConfig());
    await first.addTable(eventsTableConfig('clicks', 'clicks-stream'));
    await first.close();
    expect(recorder.runtimes.every((r) => !r.running)).toBe(true);

    const second = newManager();
    const report = await second.start();
    expect(report.schemas).toEqual(['clicks', 'events']);
    expect(report.tables.map((t) => t.ok)).toEqual([true, true]);
    expect(second.listTables()).toEqual(['clicks', 'events']);
    expect(second.getTableConfig('clicks').stream.topicName).toBe('clicks-stream');
    expect(recorder.latest('events')!.running).toBe(true);
  });

  it('loads the other tables when one fails to start, reports it, and retries on resume', async () => {
    const first = newManager();
    await first.start();
    await first.addSchema(eventsSchema());
    await first.addSchema(eventsSchema('clicks'));
    await first.addTable(eventsTableConfig());
    await first.addTable(eventsTableConfig('clicks', 'clicks-stream'));
    await first.close();

    recorder.failStart = (config) => (config.tableName === 'clicks' ? new PermanentStreamError('stream clicks-stream was deleted') : undefined);
    const second = newManager();
    const report = await second.start();
    expect(report.tables.find((t) => t.table === 'events')).toEqual({ table: 'events', ok: true });
    expect(report.tables.find((t) => t.table === 'clicks')).toMatchObject({ ok: false, error: expect.stringContaining('stream clicks-stream was deleted') });
    expect(second.tableState('clicks')).toMatchObject({ state: 'FAILED' });
    expect((await rejection(() => second.segments('clicks'))).errorName).toBe('TABLE_NOT_RUNNING');
    expect(logLines.some((line) => line.includes('table failed to start'))).toBe(true);

    recorder.failStart = undefined;
    await second.resume('clicks');
    expect(second.tableState('clicks').state).toBe('RUNNING');
  });

  it('keeps retrying a table whose stream was unreachable at start until it starts', async () => {
    const first = newManager();
    await first.start();
    await first.addSchema(eventsSchema());
    await first.addTable(eventsTableConfig());
    await first.close();

    let failures = 2;
    recorder.failStart = () => (failures-- > 0 ? new TransientStreamError('connect ECONNREFUSED 127.0.0.1:4567') : undefined);
    const second = newManager();
    const report = await second.start();
    expect(report.tables[0]).toMatchObject({ ok: false, error: expect.stringContaining('ECONNREFUSED') });
    expect(second.tableState('events').state).toBe('FAILED');
    const deadline = Date.now() + 20_000;
    while (second.tableState('events').state !== 'RUNNING' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(second.tableState('events').state).toBe('RUNNING');
    expect(failures).toBe(-1);
    expect(logLines.some((line) => line.includes('retrying table start'))).toBe(true);
    await second.close();
  });

  it('reports a corrupt catalog file and a table whose schema is gone, and loads the rest', async () => {
    const first = newManager();
    await first.start();
    await first.addSchema(eventsSchema());
    await first.addTable(eventsTableConfig());
    await first.close();
    await writeFile(join(dataDir, '_catalog', 'tables', 'broken.json'), '{');
    await writeFile(join(dataDir, '_catalog', 'tables', 'orphan.json'), JSON.stringify(eventsTableConfig('orphan')));
    const second = newManager();
    const report = await second.start();
    expect(second.listTables()).toEqual(['events']);
    expect(report.problems.map((p) => p.path).join(' ')).toContain('broken.json');
    expect(report.tables.find((t) => t.table === 'orphan')).toMatchObject({ ok: false, error: expect.stringContaining('no schema named orphan') });
  });

  it('never writes a secret into a log line', async () => {
    const manager = newManager();
    await manager.start();
    await manager.addSchema(eventsSchema());
    await manager.addTable(eventsTableConfig());
    recorder.failStart = () => new PermanentStreamError(`denied for ${TEST_ACCESS_KEY} / ${TEST_SECRET_KEY}`);
    await manager.updateTable('events', eventsTableConfig('events', 'other')).catch(() => undefined);
    await manager.close();
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) {
      expect(line).not.toContain(TEST_SECRET_KEY);
      expect(line).not.toContain(TEST_ACCESS_KEY);
    }
  });

  it('rejects work after close', async () => {
    const manager = newManager();
    await manager.start();
    await manager.close();
    await manager.close();
    expect((await rejection(manager.addSchema(eventsSchema()))).errorName).toBe('INTERNAL');
  });
});

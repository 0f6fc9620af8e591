import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsSchema, eventsTableConfig } from '../helpers/pinot-config-fixtures.js';
import { consumingSegmentName, sealedSegmentName } from '../helpers/recording-runtime-factory.js';
import { startHarness } from './http-harness.js';
import type { Harness } from './http-harness.js';

let h: Harness;
const SEALED = sealedSegmentName('events');
const CONSUMING = consumingSegmentName('events');

beforeEach(async () => {
  h = await startHarness();
  await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
  await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
});

afterEach(async () => {
  await h.close();
});

const get = (url: string) => h.inject({ method: 'GET', url });

describe('force commit (PinotRealtimeTableResource)', () => {
  it('POST /tables/{t}/forceCommit answers a job id; forceCommitStatus lists the segments not yet committed', async () => {
    const response = await h.inject({ method: 'POST', url: '/tables/events_REALTIME/forceCommit' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({ forceCommitStatus: 'SUCCESS', jobMetaZKWriteStatus: 'SUCCESS', forceCommitJobId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(h.recorder.latest('events')!.calls).toContain('forceCommit');
    const pending = (await get(`/tables/forceCommitStatus/${body.forceCommitJobId}`)).json();
    expect(pending).toMatchObject({
      jobId: body.forceCommitJobId,
      jobType: 'FORCE_COMMIT',
      tableName: 'events_REALTIME',
      segmentsForceCommitted: JSON.stringify([CONSUMING]),
      segmentsYetToBeCommitted: [CONSUMING],
      numberOfSegmentsYetToBeCommitted: 0 + 1,
    });
    expect(pending.submissionTimeMs).toMatch(/^\d+$/);
    h.recorder.latest('events')!.commitNow();
    const done = (await get(`/forceCommitStatus/${body.forceCommitJobId}`)).json();
    expect(done).toMatchObject({ segmentsYetToBeCommitted: [], numberOfSegmentsYetToBeCommitted: 0 });
  });

  it('unknown table 404, unknown job 404, ?type=offline 404', async () => {
    expect((await h.inject({ method: 'POST', url: '/tables/nope/forceCommit' })).statusCode).toBe(404);
    const job = await get('/tables/forceCommitStatus/no-such-job');
    expect(job.statusCode).toBe(404);
    expect(job.json()).toEqual({ code: 404, error: 'Failed to find controller job id: no-such-job' });
    const offline = await h.inject({ method: 'POST', url: '/tables/events/forceCommit?type=offline' });
    expect(offline.statusCode).toBe(404);
    expect(offline.json().error).toBe('table events_OFFLINE does not exist');
  });
});

describe('table state (PinotTableRestletResource)', () => {
  it('GET/PUT /tables/{t}/state: disable stops the runtime, queries answer 191, enable starts it again', async () => {
    expect((await get('/tables/events/state?type=realtime')).json()).toEqual({ state: 'enabled' });
    const disable = await h.inject({ method: 'PUT', url: '/tables/events/state?type=realtime&state=disable' });
    expect(disable.statusCode).toBe(200);
    expect(disable.json()).toEqual({ status: "Request to disable table 'events_REALTIME' is successful" });
    expect((await get('/tables/events/state')).json()).toEqual({ state: 'disabled' });
    expect(h.recorder.latest('events')!.running).toBe(false);
    const query = await h.inject({ method: 'POST', url: '/query/sql', payload: { sql: 'SELECT count(*) FROM events' } });
    expect(query.json().exceptions).toEqual([{ errorCode: 191, message: 'TableIsDisabledError:\nTable events is disabled' }]);
    const segments = await get('/tables/events/segments');
    expect(segments.statusCode).toBe(409);
    expect(segments.json().error).toContain('table events is disabled');
    expect((await get('/tables/events')).statusCode).toBe(200);
    expect((await h.inject({ method: 'PUT', url: '/tables/events/state?state=enable' })).statusCode).toBe(200);
    expect(h.recorder.latest('events')!.running).toBe(true);
    expect((await get('/tables/events/segments')).statusCode).toBe(200);
  });

  it('a disabled table stays disabled across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-state-'));
    const first = await startHarness({ dataDir });
    await first.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    await first.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    await first.inject({ method: 'PUT', url: '/tables/events/state?state=disable' });
    await first.close();
    const second = await startHarness({ dataDir });
    try {
      expect((await second.inject({ method: 'GET', url: '/tables/events/state' })).json()).toEqual({ state: 'disabled' });
      expect(second.recorder.latest('events')).toBeUndefined();
    } finally {
      await second.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('bad state 400, unknown table 404, ?type=offline 404', async () => {
    const bad = await h.inject({ method: 'PUT', url: '/tables/events/state?state=sleep' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain("Unknown state 'sleep'");
    expect((await h.inject({ method: 'PUT', url: '/tables/nope/state?state=enable' })).statusCode).toBe(404);
    expect((await get('/tables/nope/state')).statusCode).toBe(404);
    expect((await get('/tables/events/state?type=OFFLINE')).statusCode).toBe(404);
  });
});

describe('table views (TableViews, TableSize, TableMetadataInfo, PinotTableInstances)', () => {
  it('idealstate and externalview show sealed ONLINE and consuming CONSUMING on this server', async () => {
    for (const view of ['idealstate', 'externalview']) {
      const body = (await get(`/tables/events/${view}`)).json();
      expect(body.OFFLINE).toBeNull();
      const [server] = Object.keys(body.REALTIME[SEALED]);
      expect(server).toMatch(/^Server_/);
      expect(body.REALTIME).toEqual({ [SEALED]: { [server!]: 'ONLINE' }, [CONSUMING]: { [server!]: 'CONSUMING' } });
    }
  });

  it('size answers TableSizeDetails with per-segment disk sizes', async () => {
    const body = (await get('/tables/events/size')).json();
    expect(body).toMatchObject({ tableName: 'events', reportedSizeInBytes: 4096, estimatedSizeInBytes: 4096, offlineSegments: null });
    expect(body.realtimeSegments).toMatchObject({ reportedSizeInBytes: 4096, missingSegments: 0 });
    expect(body.realtimeSegments.segments[SEALED]).toMatchObject({ reportedSizeInBytes: 4096, serverInfo: expect.any(Object) });
  });

  it('metadata answers TableMetadataInfo; column maps only for the columns asked for', async () => {
    const plain = (await get('/tables/events/metadata')).json();
    expect(plain).toEqual({
      tableName: 'events_REALTIME',
      diskSizeInBytes: 4096,
      numSegments: 2,
      numRows: 13,
      columnLengthMap: {},
      columnCardinalityMap: {},
      maxNumMultiValuesMap: {},
      columnIndexSizeMap: {},
      upsertPartitionToServerPrimaryKeyCountMap: {},
    });
    const withColumns = (await get('/tables/events/metadata?columns=*')).json();
    expect(withColumns.columnCardinalityMap).toEqual({ country: 3 });
    expect(withColumns.columnIndexSizeMap).toEqual({ country: { forward_index: 100, dictionary: 20 } });
  });

  it('instances and brokers name this server', async () => {
    const instances = (await get('/tables/events/instances')).json();
    expect(instances.tableName).toBe('events');
    expect(instances.brokers).toEqual([{ tableType: 'realtime', instances: [expect.stringMatching(/^Broker_/)] }]);
    expect(instances.server).toEqual([{ tableType: 'realtime', instances: [expect.stringMatching(/^Server_/)] }]);
    expect((await get('/tables/events/instances?type=server')).json().brokers).toEqual([]);
    const v2 = (await h.inject({ method: 'GET', url: '/v2/brokers/tables/events', headers: { host: 'db.example:9000' } })).json();
    expect(v2).toEqual([{ instanceName: 'Broker_db.example_9000', host: 'db.example', port: 9000 }]);
    expect((await h.inject({ method: 'GET', url: '/brokers/tables/events_REALTIME', headers: { host: 'db.example:9000' } })).json()).toEqual(['Broker_db.example_9000']);
  });

  it('every view: unknown table 404, ?type=offline 404', async () => {
    for (const path of ['idealstate', 'externalview', 'size', 'metadata', 'instances']) {
      expect((await get(`/tables/nope/${path}`)).statusCode, path).toBe(404);
    }
    for (const path of ['idealstate', 'externalview', 'size', 'metadata']) {
      expect((await get(`/tables/events/${path}?type=offline`)).statusCode, path).toBe(404);
    }
    expect((await get('/v2/brokers/tables/nope')).statusCode).toBe(404);
    expect((await get('/brokers/tables/nope')).statusCode).toBe(404);
  });
});

describe('segment delete and reload (PinotSegmentRestletResource)', () => {
  it('DELETE /segments/{t}/{segment} deletes a sealed segment; consuming 409, unknown 404', async () => {
    const consuming = await h.inject({ method: 'DELETE', url: `/segments/events/${CONSUMING}` });
    expect(consuming.statusCode).toBe(409);
    expect(consuming.json().error).toContain('is consuming');
    const deleted = await h.inject({ method: 'DELETE', url: `/segments/events/${SEALED}` });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ status: 'Segment deleted' });
    expect((await get('/tables/events/segments')).json()).toEqual([{ REALTIME: [CONSUMING] }]);
    expect((await h.inject({ method: 'DELETE', url: `/segments/events/${SEALED}` })).statusCode).toBe(404);
    expect((await h.inject({ method: 'DELETE', url: `/segments/nope/${SEALED}` })).statusCode).toBe(404);
  });

  it('POST /segments/{t}/reload answers Pinot\'s job status string and what was reloaded', async () => {
    const response = await h.inject({ method: 'POST', url: '/segments/events/reload' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(JSON.parse(body.status)).toEqual({ events_REALTIME: { numMessagesSent: '1', reloadJobId: expect.any(String), reloadJobMetaZKStorageStatus: 'SUCCESS' } });
    expect(body.reloaded).toEqual([SEALED]);
    expect((await h.inject({ method: 'POST', url: '/segments/nope/reload' })).statusCode).toBe(404);
  });
});

describe('tableConfigs (TableConfigsRestletResource)', () => {
  it('GET lists raw names; GET one answers {tableName, schema, realtime}', async () => {
    expect((await get('/tableConfigs')).json()).toEqual(['events']);
    const one = (await get('/tableConfigs/events')).json();
    expect(one).toMatchObject({ tableName: 'events', schema: { schemaName: 'events' }, realtime: { tableType: 'REALTIME' } });
    expect((await get('/tableConfigs/nope')).statusCode).toBe(404);
  });

  it('POST creates schema and table in one call; DELETE removes both', async () => {
    const body = { tableName: 'clicks', schema: eventsSchema('clicks'), realtime: eventsTableConfig('clicks', 'clicks-stream'), extra: 1 };
    const created = await h.inject({ method: 'POST', url: '/tableConfigs', payload: body });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toEqual({ unrecognizedProperties: { '/extra': 1, '/realtime/someFutureKey/kept': true }, status: 'TableConfigs clicks successfully added' });
    expect((await get('/tables')).json()).toEqual({ tables: ['clicks', 'events'] });
    expect((await h.inject({ method: 'POST', url: '/tableConfigs', payload: body })).statusCode).toBe(409);
    const put = await h.inject({ method: 'PUT', url: '/tableConfigs/clicks', payload: body });
    expect(put.statusCode).toBe(200);
    expect(put.json().status).toBe('TableConfigs updated for clicks');
    const deleted = await h.inject({ method: 'DELETE', url: '/tableConfigs/clicks' });
    expect(deleted.json()).toEqual({ status: 'Deleted TableConfigs: clicks' });
    expect((await get('/schemas')).json()).toEqual(['events']);
  });

  it('a bad body is 400 and leaves nothing behind; an OFFLINE config is refused', async () => {
    const noRealtime = await h.inject({ method: 'POST', url: '/tableConfigs', payload: { tableName: 'x', schema: eventsSchema('x') } });
    expect(noRealtime.statusCode).toBe(400);
    expect(noRealtime.json().error).toContain('realtime: required');
    const badTable = await h.inject({ method: 'POST', url: '/tableConfigs', payload: { tableName: 'x', schema: eventsSchema('x'), realtime: { ...eventsTableConfig('x'), tableType: 'OFFLINE' } } });
    expect(badTable.statusCode).toBe(400);
    expect((await get('/schemas')).json()).toEqual(['events']);
    const offline = await h.inject({ method: 'POST', url: '/tableConfigs', payload: { tableName: 'x', schema: eventsSchema('x'), realtime: eventsTableConfig('x'), offline: {} } });
    expect(offline.statusCode).toBe(400);
    expect((await h.inject({ method: 'DELETE', url: '/tableConfigs/nope' })).statusCode).toBe(404);
  });
});

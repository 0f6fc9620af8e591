import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { PermanentStreamError } from '../../src/spi/partition-consumer.js';
import { TableManager } from '../../src/table/table-manager.js';
import { eventsSchema, eventsTableConfig } from '../helpers/pinot-config-fixtures.js';
import { consumingSegmentName, recordingRuntimeFactory, sealedSegmentName } from '../helpers/recording-runtime-factory.js';
import { startHarness } from './http-harness.js';
import type { Harness } from './http-harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
  await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
});

afterEach(async () => {
  await h.close();
});

describe('segment routes', () => {
  it('GET /tables/{name}/segments uses Pinot 1.x shape and lists sealed then consuming segments', async () => {
    for (const url of ['/tables/events/segments', '/tables/events_REALTIME/segments', '/segments/events']) {
      const response = await h.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual([{ REALTIME: [sealedSegmentName('events'), consumingSegmentName('events')] }]);
    }
  });

  it('GET /segments/{table}/metadata: every sealed segment summary by name (the segments CLI reads it); 404 for an unknown table', async () => {
    const all = await h.inject({ method: 'GET', url: '/segments/events_REALTIME/metadata' });
    expect(all.statusCode).toBe(200);
    const body = all.json() as Record<string, { segmentName: string; numDocs: number }>;
    expect(Object.keys(body)).toEqual([sealedSegmentName('events')]);
    expect(body[sealedSegmentName('events')]).toMatchObject({ segmentName: sealedSegmentName('events'), numDocs: 10 });
    expect((await h.inject({ method: 'GET', url: '/segments/nope/metadata' })).statusCode).toBe(404);
  });

  it("POST /segments/{table}/delete (Pinot's deleteSegments) checks every name first; DELETE /segments/{table} deletes every sealed segment", async () => {
    const bad = await h.inject({ method: 'POST', url: '/segments/events/delete', payload: { segments: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/non-empty JSON array of segment names/);
    const unknown = await h.inject({ method: 'POST', url: '/segments/events/delete', payload: [sealedSegmentName('events'), 'events__9__9__20240101T0000Z'] });
    expect(unknown.statusCode).toBe(404);
    const consuming = await h.inject({ method: 'POST', url: '/segments/events/delete', payload: [consumingSegmentName('events')] });
    expect(consuming.statusCode).toBe(409);
    expect((await h.inject({ method: 'GET', url: '/segments/events' })).json()).toEqual([{ REALTIME: [sealedSegmentName('events'), consumingSegmentName('events')] }]);
    const all = await h.inject({ method: 'DELETE', url: '/segments/events_REALTIME' });
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual({ status: 'All segments of table events_REALTIME deleted', deleted: [sealedSegmentName('events')] });
    expect((await h.inject({ method: 'GET', url: '/segments/events' })).json()).toEqual([{ REALTIME: [consumingSegmentName('events')] }]);
    const none = await h.inject({ method: 'POST', url: '/segments/events/delete', payload: [sealedSegmentName('events')] });
    expect(none.statusCode).toBe(404);
  });

  it('GET /segments/{table}/{segment}/metadata: sealed footer, consuming live state, 404 otherwise', async () => {
    const sealed = await h.inject({ method: 'GET', url: `/segments/events_REALTIME/${sealedSegmentName('events')}/metadata` });
    expect(sealed.statusCode).toBe(200);
    expect(sealed.json()).toMatchObject({ 'segment.name': sealedSegmentName('events'), 'segment.total.docs': 10 });
    const consuming = await h.inject({ method: 'GET', url: `/segments/events/${consumingSegmentName('events')}/metadata` });
    expect(consuming.json()).toMatchObject({ segmentName: consumingSegmentName('events'), status: 'IN_PROGRESS', totalDocs: 3, shardId: 'shardId-000000000000' });
    const missing = await h.inject({ method: 'GET', url: '/segments/events/events__9__9__20240101T0000Z/metadata' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 404, error: 'segment events__9__9__20240101T0000Z of table events_REALTIME does not exist' });
  });
});

describe('consumption routes', () => {
  it('GET /tables/{name}/consumingSegmentsInfo keeps Pinot\'s map and adds shardtablePartitions', async () => {
    const response = await h.inject({ method: 'GET', url: '/tables/events/consumingSegmentsInfo' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    const info = body._segmentToConsumingInfoMap[consumingSegmentName('events')];
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({
      consumerState: 'CONSUMING',
      partitionToOffsetMap: { '0': '49590338271490256608559692538361571095921575989136588813' },
      partitionOffsetInfo: { currentOffsetsMap: { '0': '49590338271490256608559692538361571095921575989136588813' }, availabilityLagMsMap: { '0': '0' } },
    });
    expect(typeof info[0].serverName).toBe('string');
    expect(Object.keys(body._segmentToConsumingInfoMap)).toHaveLength(1);
    expect(body.shardtablePartitions).toHaveLength(2);
    expect(body.shardtablePartitions[0]).toMatchObject({ partitionId: 0, shardId: 'shardId-000000000000', rowsInConsumingSegment: 3, msBehindLatest: 0, state: 'CONSUMING' });
    expect(body.shardtablePartitions[1]).toMatchObject({ partitionId: 1, state: 'ENDED', consumingSegmentName: null });
  });

  it('pause and resume answer with Pinot\'s PauseStatus and change the consumer state', async () => {
    const pause = await h.inject({ method: 'POST', url: '/tables/events_REALTIME/pauseConsumption' });
    expect(pause.statusCode).toBe(200);
    expect(pause.json()).toMatchObject({
      pauseFlag: true,
      consumingSegments: [consumingSegmentName('events')],
      reasonCode: 'ADMINISTRATIVE',
      comment: expect.stringMatching(/^Pause flag is set. Consuming segments are being committed/),
      shardtableSegmentsForceCommitted: [consumingSegmentName('events')],
    });
    expect(pause.json().timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{1,3}$/);
    expect(pause.json().description).toBe(pause.json().comment);
    expect((await h.inject({ method: 'GET', url: '/tables/events/pauseStatus' })).json()).toMatchObject({ pauseFlag: true, state: 'PAUSED' });
    const info = (await h.inject({ method: 'GET', url: '/tables/events/consumingSegmentsInfo' })).json();
    expect(info._segmentToConsumingInfoMap[consumingSegmentName('events')][0].consumerState).toBe('NOT_CONSUMING');

    // consumeFrom other than smallest/largest: refused, nothing changes (the values are a rewind: test/integration/rewind.test.ts).
    const bad = await h.inject({ method: 'POST', url: '/tables/events/resumeConsumption?consumeFrom=oldest' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain('consumeFrom must be smallest or largest, got "oldest"');
    expect((await h.inject({ method: 'GET', url: '/tables/events/pauseStatus' })).json()).toMatchObject({ pauseFlag: true });
    const resume = await h.inject({ method: 'POST', url: '/tables/events/resumeConsumption' });
    expect(resume.statusCode).toBe(200);
    expect(resume.json()).toMatchObject({ pauseFlag: false });
    // Pinot force-commits the consuming segments on pause.
    expect(h.recorder.latest('events')!.calls).toEqual(['start', 'pause', 'forceCommit', 'resume']);
  });

  it('POST /tables/{t}/rewind refuses a bad or future target and an unknown table, naming what was wrong', async () => {
    for (const to of ['', 'yesterday', '12ab', '2026-01-01', '-5']) {
      const response = await h.inject({ method: 'POST', url: `/tables/events/rewind?to=${encodeURIComponent(to)}` });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toContain(`rewind target to=${JSON.stringify(to)} is not valid: give epoch millis`);
    }
    const missing = await h.inject({ method: 'POST', url: '/tables/events/rewind' });
    expect(missing.json().error).toContain('rewind target to=null is not valid');
    const future = await h.inject({ method: 'POST', url: `/tables/events/rewind?to=${Date.now() + 3_600_000}` });
    expect(future.statusCode).toBe(400);
    expect(future.json().error).toMatch(/^rewind target \S+ \(\d+\) is in the future/);
    const unknown = await h.inject({ method: 'POST', url: '/tables/nope/rewind?to=TRIM_HORIZON' });
    expect(unknown.statusCode).toBe(404);
    expect((await h.inject({ method: 'POST', url: '/tables/nope/resumeConsumption?consumeFrom=largest' })).statusCode).toBe(404);
    expect(h.recorder.latest('events')!.calls).toEqual(['start']);
  });

  it('a table that failed to start is 503 (queries 410, same text) until resume retries it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-http-restart-'));
    const recorder = recordingRuntimeFactory();
    const first = await startHarness({ recorder, dataDir });
    await first.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    await first.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    await first.close();
    recorder.failStart = () => new PermanentStreamError('stream events-stream was deleted');
    await h.close();
    h = await startHarness({ recorder, dataDir });
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const segments = await h.inject({ method: 'GET', url: '/tables/events/segments' });
    expect(segments.statusCode).toBe(503);
    expect(segments.json().error).toContain('table events is not running: stream kinesis:events-stream cannot be read: stream events-stream was deleted');
    const query = await h.inject({ method: 'POST', url: '/query/sql', payload: { sql: 'SELECT count(*) FROM events' } });
    expect(query.statusCode).toBe(200);
    expect(query.json().exceptions).toEqual([{ errorCode: 410, message: `BrokerResourceMissingError:\n${segments.json().error}` }]);
    expect((await h.inject({ method: 'GET', url: '/tables/events/pauseStatus' })).json()).toMatchObject({ state: 'FAILED', pauseFlag: false });
    expect((await h.inject({ method: 'GET', url: '/tables/events' })).statusCode).toBe(200);
    expect((await h.inject({ method: 'POST', url: '/tables/events/resumeConsumption' })).statusCode).toBe(400);
    recorder.failStart = undefined;
    expect((await h.inject({ method: 'POST', url: '/tables/events/resumeConsumption' })).statusCode).toBe(200);
    expect((await h.inject({ method: 'GET', url: '/tables/events/segments' })).statusCode).toBe(200);
    expect((await h.inject({ method: 'POST', url: '/query/sql', payload: { sql: 'SELECT count(*) FROM events' } })).json().exceptions).toEqual([]);
    expect(h.manager).toBeInstanceOf(TableManager);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentStreamError } from '../../src/spi/partition-consumer.js';
import { eventsSchema, eventsTableConfig, kinesisDocSchema, kinesisDocTableConfig } from '../helpers/pinot-config-fixtures.js';
import { startHarness } from './http-harness.js';
import type { Harness } from './http-harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
});

afterEach(async () => {
  await h.close();
});

describe('table routes', () => {
  it('POST /tables answers as Pinot does and starts the table', async () => {
    const response = await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ unrecognizedProperties: { '/someFutureKey/kept': true }, status: 'Table events_REALTIME successfully added' });
    expect(h.recorder.latest('events')!.running).toBe(true);
  });

  it('accepts the Pinot Kinesis documentation example as written (stream name and region filled in)', async () => {
    expect((await h.inject({ method: 'POST', url: '/schemas', payload: kinesisDocSchema() })).statusCode).toBe(200);
    const config = kinesisDocTableConfig({ stream: 'orders', region: 'us-west-2' });
    const response = await h.inject({ method: 'POST', url: '/tables', payload: config });
    expect(response.statusCode).toBe(200);
    expect(response.json().status).toBe('Table kinesisTable_REALTIME successfully added');
    const shown = (await h.inject({ method: 'GET', url: '/tables/kinesisTable' })).json();
    expect(shown.REALTIME.tableIndexConfig.streamConfigs.secretKey).toBe('*****');
    expect(shown.REALTIME.tableIndexConfig.streamConfigs.accessKey).toBe('*****');
  });

  it('GET /tables lists raw names', async () => {
    expect((await h.inject({ method: 'GET', url: '/tables' })).json()).toEqual({ tables: [] });
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig('events_REALTIME') });
    expect((await h.inject({ method: 'GET', url: '/tables' })).json()).toEqual({ tables: ['events'] });
  });

  it('GET /tables/{name} returns {"REALTIME": config}, with or without _REALTIME, secrets redacted', async () => {
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    for (const url of ['/tables/events', '/tables/events_REALTIME', '/tables/events?type=realtime']) {
      const response = await h.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      const config = response.json().REALTIME;
      expect(config.tableName).toBe('events_REALTIME');
      expect(config.tableType).toBe('REALTIME');
      expect(config.someFutureKey).toEqual({ kept: true });
      expect(config.tableIndexConfig.streamConfigs.secretKey).toBe('*****');
      expect(config.tableIndexConfig.streamConfigs['stream.kinesis.topic.name']).toBe('events-stream');
    }
    expect((await h.inject({ method: 'GET', url: '/tables/events?type=offline' })).json()).toEqual({});
    expect((await h.inject({ method: 'GET', url: '/tables/events/schema' })).json().schemaName).toBe('events');
  });

  it('unknown tables are 404 on every route', async () => {
    for (const [method, url] of [
      ['GET', '/tables/nope'],
      ['DELETE', '/tables/nope'],
      ['GET', '/tables/nope/segments'],
      ['GET', '/tables/nope/consumingSegmentsInfo'],
      ['POST', '/tables/nope/pauseConsumption'],
      ['POST', '/tables/nope/resumeConsumption'],
      ['GET', '/segments/nope/seg/metadata'],
    ] as const) {
      const response = await h.inject({ method, url });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json()).toEqual({ code: 404, error: 'table nope does not exist' });
    }
  });

  it('a duplicate table is 409', async () => {
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    const response = await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig('events_REALTIME') });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({ code: 409, error: 'table events_REALTIME already exists' });
  });

  it('invalid configs are 400 naming the field', async () => {
    const noSchema = await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig('ghost') });
    expect(noSchema.statusCode).toBe(400);
    expect(noSchema.json().error).toContain('no schema named ghost');
    const badColumn = eventsTableConfig();
    (badColumn.segmentsConfig as Record<string, unknown>).timeColumnName = 'when';
    expect((await h.inject({ method: 'POST', url: '/tables', payload: badColumn })).json()).toEqual({
      code: 400,
      error: 'invalid table config: segmentsConfig.timeColumnName: column when is not in schema events',
    });
    const badStream = eventsTableConfig();
    delete (badStream.tableIndexConfig as Record<string, any>).streamConfigs['stream.kinesis.topic.name'];
    const response = await h.inject({ method: 'POST', url: '/tables', payload: badStream });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toContain('tableIndexConfig.streamConfigs["stream.kinesis.topic.name"]: is required');
  });

  it('a stream that cannot be read is 400 STREAM_UNREACHABLE and nothing is left behind', async () => {
    h.recorder.failStart = () => new PermanentStreamError('ResourceNotFoundException: Stream events-stream under account 123 not found');
    const response = await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('stream kinesis:events-stream cannot be read: ResourceNotFoundException: Stream events-stream under account 123 not found');
    expect((await h.inject({ method: 'GET', url: '/tables' })).json()).toEqual({ tables: [] });
  });

  it('PUT /tables/{name} updates the config and restarts the runtime', async () => {
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    const json = eventsTableConfig();
    (json.tableIndexConfig as Record<string, any>).invertedIndexColumns = ['user'];
    const response = await h.inject({ method: 'PUT', url: '/tables/events_REALTIME', payload: json });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ unrecognizedProperties: { '/someFutureKey/kept': true }, status: 'Table config updated for events_REALTIME' });
    expect((await h.inject({ method: 'GET', url: '/tables/events' })).json().REALTIME.tableIndexConfig.invertedIndexColumns).toEqual(['user']);
    expect(h.recorder.runtimes.map((r) => r.calls.join(','))).toEqual(['start,stop', 'start']);
  });

  it('PUT with a GET response body (redacted secrets) keeps the stored secrets', async () => {
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    const shown = (await h.inject({ method: 'GET', url: '/tables/events' })).json().REALTIME;
    expect((await h.inject({ method: 'PUT', url: '/tables/events', payload: shown })).statusCode).toBe(200);
    expect(h.manager.getTableConfig('events').stream.properties.secretKey).toBe(eventsTableConfig().tableIndexConfig && (eventsTableConfig().tableIndexConfig as any).streamConfigs.secretKey);
  });

  it('PUT errors: unknown 404, name mismatch 400, invalid 400, empty body 400', async () => {
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    expect((await h.inject({ method: 'PUT', url: '/tables/ghost', payload: eventsTableConfig('ghost') })).statusCode).toBe(404);
    const mismatch = await h.inject({ method: 'PUT', url: '/tables/events', payload: eventsTableConfig('other') });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().error).toBe('table name other in the body does not match events in the path');
    const invalid = eventsTableConfig();
    invalid.tableType = 'OFFLINE';
    expect((await h.inject({ method: 'PUT', url: '/tables/events', payload: invalid })).statusCode).toBe(400);
    const empty = await h.inject({ method: 'PUT', url: '/tables/events', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error).toContain('the body is empty');
  });

  it('DELETE /tables/{name} answers as Pinot does and drops the data', async () => {
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    expect((await h.inject({ method: 'DELETE', url: '/tables/events?type=offline' })).statusCode).toBe(404);
    const response = await h.inject({ method: 'DELETE', url: '/tables/events_REALTIME' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'Tables: [events_REALTIME] deleted' });
    expect(h.recorder.latest('events')!.calls).toEqual(['start', 'drop']);
    expect((await h.inject({ method: 'GET', url: '/tables/events' })).statusCode).toBe(404);
  });

  it('POST /tables with a segment size threshold of "1" is a 400 naming the key (not a file per record)', async () => {
    const config = eventsTableConfig();
    const streamConfigs = (config.tableIndexConfig as { streamConfigs: Record<string, unknown> }).streamConfigs;
    streamConfigs['realtime.segment.flush.threshold.segment.size'] = '1';
    const response = await h.inject({ method: 'POST', url: '/tables', payload: config });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toContain('tableIndexConfig.streamConfigs["realtime.segment.flush.threshold.segment.size"]: must be at least 4K');
    expect(h.recorder.latest('events')).toBeUndefined();
  });

  it('reports unknown table-config keys in unrecognizedProperties and still stores and echoes them', async () => {
    const config = { ...eventsTableConfig(), tableColour: 'red', tenants: { broker: 'DefaultTenant', server: 'DefaultTenant', brokr: 'x' } };
    const response = await h.inject({ method: 'POST', url: '/tables', payload: config });
    expect(response.statusCode).toBe(200);
    expect(response.json().unrecognizedProperties).toEqual({ '/tableColour': 'red', '/tenants/brokr': 'x', '/someFutureKey/kept': true });
    expect((await h.inject({ method: 'GET', url: '/tables/events' })).json().REALTIME.tableColour).toBe('red');
    const put = await h.inject({ method: 'PUT', url: '/tables/events', payload: { ...eventsTableConfig(), other: [1, 2] } });
    expect(put.json().unrecognizedProperties).toEqual({ '/someFutureKey/kept': true, '/other/0': 1, '/other/1': 2 });
  });

  it('POST /tables/validate answers {REALTIME: config, unrecognizedProperties} without creating the table', async () => {
    const ok = await h.inject({ method: 'POST', url: '/tables/validate', payload: { ...eventsTableConfig(), extra: 1 } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ REALTIME: { tableName: 'events_REALTIME', tableType: 'REALTIME' }, unrecognizedProperties: { '/someFutureKey/kept': true, '/extra': 1 } });
    expect((await h.inject({ method: 'GET', url: '/tables' })).json()).toEqual({ tables: [] });
    const bad = await h.inject({ method: 'POST', url: '/tables/validate', payload: { ...eventsTableConfig(), tableType: 'OFFLINE' } });
    expect(bad.statusCode).toBe(400);
    const noSchema = await h.inject({ method: 'POST', url: '/tables/validate', payload: eventsTableConfig('ghost') });
    expect(noSchema.statusCode).toBe(400);
  });

  it('GET /tables?type=realtime lists _REALTIME names and ?type=offline lists none, as Pinot does', async () => {
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    expect((await h.inject({ method: 'GET', url: '/tables?type=realtime' })).json()).toEqual({ tables: ['events_REALTIME'] });
    expect((await h.inject({ method: 'GET', url: '/tables?type=OFFLINE' })).json()).toEqual({ tables: [] });
    expect((await h.inject({ method: 'GET', url: '/tables' })).json()).toEqual({ tables: ['events'] });
  });
});

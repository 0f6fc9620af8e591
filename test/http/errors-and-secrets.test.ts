import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentStreamError } from '../../src/spi/partition-consumer.js';
import { eventsSchema, eventsTableConfig, kinesisStreamConfigs, TEST_ACCESS_KEY, TEST_SECRET_KEY } from '../helpers/pinot-config-fixtures.js';
import { INNOCENT_KEYS, SECRET_ISH_KEYS } from '../helpers/secret-keys.js';
import { startHarness } from './http-harness.js';
import type { Harness } from './http-harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness({ bodyLimit: 64 * 1024 });
});

afterEach(async () => {
  await h.close();
});

describe('error handling', () => {
  it('malformed JSON is a 400 naming the parse problem', async () => {
    const response = await h.inject({ method: 'POST', url: '/schemas', headers: { 'content-type': 'application/json' }, payload: '{"schemaName": "x",' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/json');
    const body = response.json();
    expect(body.code).toBe(400);
    expect(body.error).toMatch(/^request body is not valid JSON: .*JSON/);
  });

  it('an empty body where one is needed is a 400', async () => {
    const response = await h.inject({ method: 'POST', url: '/tables', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ code: 400, error: 'request body is not valid JSON: the body is empty; send a JSON object' });
    expect((await h.inject({ method: 'POST', url: '/schemas' })).statusCode).toBe(400);
  });

  it('a JSON value that is not an object is a 400 naming the body', async () => {
    const response = await h.inject({ method: 'POST', url: '/tables', headers: { 'content-type': 'application/json' }, payload: '[1,2]' });
    expect(response.json()).toEqual({ code: 400, error: 'invalid table config: (body): must be a JSON object' });
  });

  it('an unknown route is a 404 in Pinot\'s shape', async () => {
    const response = await h.inject({ method: 'GET', url: '/nope/here?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ code: 404, error: 'no route GET /nope/here' });
    expect((await h.inject({ method: 'PATCH', url: '/tables' })).statusCode).toBe(404);
  });

  it('a body over the limit is a 413', async () => {
    const big = { ...eventsSchema(), padding: 'x'.repeat(70 * 1024) };
    const response = await h.inject({ method: 'POST', url: '/schemas', payload: big });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ code: 413, error: 'request body is larger than the limit of 65536 bytes' });
  });

  it('the default body limit is 10 MiB', async () => {
    const { DEFAULT_BODY_LIMIT } = await import('../../src/server/app.js');
    expect(DEFAULT_BODY_LIMIT).toBe(10 * 1024 * 1024);
  });

  it('a body in another content type is a 415', async () => {
    const response = await h.inject({ method: 'POST', url: '/schemas', headers: { 'content-type': 'application/xml' }, payload: '<schema/>' });
    expect(response.statusCode).toBe(415);
    expect(response.json().code).toBe(415);
    expect(response.json().error).toContain('application/xml');
  });

  it('an unexpected error is a 500 with no stack or internals in the body, logged with them', async () => {
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    h.recorder.latest('events')!.segments = () => {
      throw new TypeError('cannot read properties of undefined (internal detail)');
    };
    const response = await h.inject({ method: 'GET', url: '/tables/events/segments' });
    expect(response.statusCode).toBe(500);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['code', 'error']);
    expect(body.code).toBe(500);
    expect(body.error).toMatch(/^internal error: unexpected error; see the server log for request /);
    expect(response.body).not.toContain('internal detail');
    expect(response.body).not.toContain('at ');
    expect(h.logLines.some((line) => line.includes('internal detail') && line.includes('"level":50'))).toBe(true);
  });

  it('GET /health answers OK as text', async () => {
    const response = await h.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toBe('OK');
  });

  it('closing the app stops every table', async () => {
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    await h.app.close();
    expect(h.recorder.latest('events')!.calls).toEqual(['start', 'stop']);
  });
});

describe('secrets', () => {
  it('never appear in any response body or log line', async () => {
    const secrets = [TEST_SECRET_KEY, TEST_ACCESS_KEY];
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema('clicks') });
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    const viaMaps = eventsTableConfig('clicks', 'clicks-stream');
    delete (viaMaps.tableIndexConfig as Record<string, unknown>).streamConfigs;
    viaMaps.ingestionConfig = { streamIngestionConfig: { streamConfigMaps: [kinesisStreamConfigs('clicks-stream')] } };
    await h.inject({ method: 'POST', url: '/tables', payload: viaMaps });
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    for (const url of ['/tables', '/tables/events', '/tables/clicks', '/tables/events_REALTIME', '/tables/events/segments', '/tables/events/consumingSegmentsInfo', '/tables/clicks/schema']) {
      expect((await h.inject({ method: 'GET', url })).statusCode).toBe(200);
    }
    await h.inject({ method: 'PUT', url: '/tables/events', payload: eventsTableConfig() });
    await h.inject({ method: 'POST', url: '/tables/events/pauseConsumption' });
    await h.inject({ method: 'POST', url: '/tables/events/resumeConsumption' });

    // Errors that quote the credentials: a stream error and an unexpected one.
    h.recorder.failStart = () => new PermanentStreamError(`UnrecognizedClientException: Credential=${TEST_ACCESS_KEY}/20240101/us-east-1/kinesis secret=${TEST_SECRET_KEY}`);
    const unreachable = await h.inject({ method: 'PUT', url: '/tables/events', payload: eventsTableConfig('events', 'missing') });
    expect(unreachable.statusCode).toBe(400);
    expect(unreachable.json().error).toContain('Credential=*****');
    h.recorder.failStart = undefined;
    h.recorder.latest('clicks')!.partitions = () => {
      throw new Error(`signature mismatch for ${TEST_ACCESS_KEY}`);
    };
    expect((await h.inject({ method: 'GET', url: '/tables/clicks/consumingSegmentsInfo' })).statusCode).toBe(500);
    const badStream = eventsTableConfig('bad');
    (badStream.tableIndexConfig as Record<string, any>).streamConfigs.streamType = 'kafka';
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema('bad') });
    expect((await h.inject({ method: 'POST', url: '/tables', payload: badStream })).statusCode).toBe(400);
    await h.inject({ method: 'DELETE', url: '/tables/events' });
    await h.app.close();

    expect(h.bodies.length).toBeGreaterThan(15);
    expect(h.logLines.length).toBeGreaterThan(15);
    for (const text of [...h.bodies, ...h.logLines]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});

describe('secrets under any key name', () => {
  it('each secret-ish key is masked in GET /tables/{name}, in log lines and in errors; innocent keys are not', async () => {
    const streamConfigs = kinesisStreamConfigs();
    const secretValues = SECRET_ISH_KEYS.map((key, i) => {
      const value = `s3cr3t-value-${i}-${key.length}`;
      streamConfigs[key] = value;
      return value;
    });
    // Kinesis keys with a meaning of their own keep real values (checked as they are below).
    const innocent = INNOCENT_KEYS.filter((key) => !(key in streamConfigs) && !['iamRoleBasedAccessEnabled', 'roleArn'].includes(key));
    innocent.forEach((key, i) => (streamConfigs[key] = `innocent-value-${i}`));
    const config = { ...eventsTableConfig(), tableIndexConfig: { streamConfigs } };
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    const created = await h.inject({ method: 'POST', url: '/tables', payload: config });
    expect(created.statusCode).toBe(200);

    const shown = (await h.inject({ method: 'GET', url: '/tables/events' })).json().REALTIME.tableIndexConfig.streamConfigs as Record<string, unknown>;
    for (const key of SECRET_ISH_KEYS) expect({ key, value: shown[key] }).toEqual({ key, value: '*****' });
    innocent.forEach((key, i) => expect({ key, value: shown[key] }).toEqual({ key, value: `innocent-value-${i}` }));
    expect(shown['stream.kinesis.topic.name']).toBe('events-stream');
    expect((await h.inject({ method: 'GET', url: '/tables' })).json()).toEqual({ tables: ['events'] });

    // A PUT of what GET showed keeps the stored secrets.
    const shownConfig = (await h.inject({ method: 'GET', url: '/tables/events' })).json().REALTIME;
    expect((await h.inject({ method: 'PUT', url: '/tables/events', payload: shownConfig })).statusCode).toBe(200);
    expect(h.recorder.latest('events')!.config.pinot).toMatchObject({ tableIndexConfig: { streamConfigs: { awsSecret: secretValues[SECRET_ISH_KEYS.indexOf('awsSecret')] } } });

    // An upstream error quoting every secret.
    h.recorder.failStart = () => new PermanentStreamError(`denied: ${secretValues.join(' ')}`);
    const failed = await h.inject({ method: 'PUT', url: '/tables/events', payload: { ...config, tableIndexConfig: { streamConfigs: { ...streamConfigs, 'stream.kinesis.topic.name': 'other' } } } });
    expect(failed.statusCode).toBe(400);
    h.recorder.failStart = undefined;

    const logged = h.logLines.filter((line) => line.includes('"config"'));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.some((line) => line.includes('innocent-value-0'))).toBe(true);
    for (const text of [...h.bodies, ...h.logLines]) {
      for (const value of secretValues) expect(text).not.toContain(value);
    }
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsSchema, eventsTableConfig } from '../helpers/pinot-config-fixtures.js';
import { startHarness } from './http-harness.js';
import type { Harness } from './http-harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

describe('schema routes', () => {
  it('POST /schemas answers as Pinot does', async () => {
    const response = await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ unrecognizedProperties: {}, status: 'events successfully added' });
  });

  it('accepts the schema as a multipart upload (curl -F) and as curl -d form data', async () => {
    const boundary = '----shardtable';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="schemaName"; filename="s.json"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(eventsSchema('a'))}\r\n--${boundary}--\r\n`;
    const first = await h.inject({ method: 'POST', url: '/schemas', payload: multipart, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(first.statusCode).toBe(200);
    const second = await h.inject({ method: 'POST', url: '/schemas', payload: JSON.stringify(eventsSchema('b')), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(second.statusCode).toBe(200);
    expect((await h.inject({ method: 'GET', url: '/schemas' })).json()).toEqual(['a', 'b']);
  });

  it('GET /schemas lists names; GET /schemas/{name} returns the schema; unknown is 404', async () => {
    expect((await h.inject({ method: 'GET', url: '/schemas' })).json()).toEqual([]);
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    expect((await h.inject({ method: 'GET', url: '/schemas' })).json()).toEqual(['events']);
    const one = await h.inject({ method: 'GET', url: '/schemas/events' });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ schemaName: 'events', metricFieldSpecs: [{ name: 'clicks', dataType: 'LONG' }] });
    const missing = await h.inject({ method: 'GET', url: '/schemas/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 404, error: 'schema nope does not exist' });
  });

  it('an invalid schema is a 400 naming the field', async () => {
    const response = await h.inject({ method: 'POST', url: '/schemas', payload: { ...eventsSchema(), dimensionFieldSpecs: [{ name: 'a', dataType: 'TEXT' }] } });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe(400);
    expect(response.json().error).toContain('dimensionFieldSpecs[0].dataType: must be one of INT, LONG');
  });

  it('re-POSTing a schema overrides it by default, as Pinot does; ?override=false is a 409', async () => {
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    const again = await h.inject({ method: 'POST', url: '/schemas', payload: { ...eventsSchema(), metricFieldSpecs: [] } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ unrecognizedProperties: {}, status: 'events successfully added' });
    expect((await h.inject({ method: 'GET', url: '/schemas/events' })).json().metricFieldSpecs).toEqual([]);
    const refused = await h.inject({ method: 'POST', url: '/schemas?override=false', payload: eventsSchema() });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({ code: 409, error: 'schema events already exists' });
    expect((await h.inject({ method: 'POST', url: '/schemas?override=true', payload: eventsSchema() })).statusCode).toBe(200);
  });

  it('a setup script can re-upload the unchanged schema of a live table; an incompatible change is 400 SCHEMA_INCOMPATIBLE', async () => {
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    expect((await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() })).statusCode).toBe(200);
    expect((await h.inject({ method: 'PUT', url: '/schemas/events', payload: eventsSchema() })).statusCode).toBe(200);
    const changed = await h.inject({ method: 'POST', url: '/schemas', payload: { ...eventsSchema(), metricFieldSpecs: [] } });
    expect(changed.statusCode).toBe(400);
    expect(changed.json().error).toBe(
      'New schema events is not backward-compatible with the existing schema, which table events uses: column clicks was removed. Keep every column with its data type and single/multi-value kind, and the primary key columns; add new columns only',
    );
  });

  it('reports keys Pinot does not know in unrecognizedProperties, by JSON path, and keeps them', async () => {
    const schema = eventsSchema() as { dimensionFieldSpecs: Record<string, unknown>[] };
    schema.dimensionFieldSpecs[0] = { ...schema.dimensionFieldSpecs[0], colour: 'red' };
    const body = { ...schema, owner: { team: 'ads' }, description: 'known key' };
    const response = await h.inject({ method: 'POST', url: '/schemas', payload: body });
    expect(response.statusCode).toBe(200);
    expect(response.json().unrecognizedProperties).toEqual({ '/owner/team': 'ads', '/dimensionFieldSpecs/0/colour': 'red' });
    const stored = (await h.inject({ method: 'GET', url: '/schemas/events' })).json();
    expect(stored.owner).toEqual({ team: 'ads' });
    const put = await h.inject({ method: 'PUT', url: '/schemas/events', payload: { ...eventsSchema(), extra: 1 } });
    expect(put.json().unrecognizedProperties).toEqual({ '/extra': 1 });
  });

  it('POST /schemas/validate answers the schema and its unrecognizedProperties without storing it; a bad one is 400', async () => {
    const ok = await h.inject({ method: 'POST', url: '/schemas/validate', payload: { ...eventsSchema(), extra: true } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ schemaName: 'events', unrecognizedProperties: { '/extra': true } });
    expect((await h.inject({ method: 'GET', url: '/schemas' })).json()).toEqual([]);
    const bad = await h.inject({ method: 'POST', url: '/schemas/validate', payload: { schemaName: 'x', dimensionFieldSpecs: [{ name: 'a', dataType: 'TEXT' }] } });
    expect(bad.statusCode).toBe(400);
    expect((await h.inject({ method: 'POST', url: '/schemas/validate', payload: 'not json', headers: { 'content-type': 'application/json' } })).statusCode).toBe(400);
  });

  it('PUT /schemas/{name} replaces; name mismatch is 400; unknown is 404', async () => {
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    const put = await h.inject({ method: 'PUT', url: '/schemas/events', payload: { ...eventsSchema(), metricFieldSpecs: [] } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ unrecognizedProperties: {}, status: 'events successfully added' });
    expect((await h.inject({ method: 'PUT', url: '/schemas/events', payload: eventsSchema('x') })).statusCode).toBe(400);
    expect((await h.inject({ method: 'PUT', url: '/schemas/ghost', payload: eventsSchema('ghost') })).statusCode).toBe(404);
  });

  it('DELETE /schemas/{name}: Pinot message, 404 unknown, 409 while a table uses it', async () => {
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
    const inUse = await h.inject({ method: 'DELETE', url: '/schemas/events' });
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error).toBe('schema events is used by table events; delete the table first');
    await h.inject({ method: 'DELETE', url: '/tables/events' });
    const deleted = await h.inject({ method: 'DELETE', url: '/schemas/events' });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ status: 'Schema events deleted' });
    expect((await h.inject({ method: 'DELETE', url: '/schemas/events' })).statusCode).toBe(404);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG_NAME_MAX_LENGTH } from '../../src/config/schema-validation.js';
import { llcSegmentName } from '../../src/segment/segment-name.js';
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

/** A valid name of exactly `length` characters. */
const nameOf = (length: number): string => `t${'x'.repeat(length - 1)}`;

describe('long names', () => {
  it('the longest name creation accepts is served by every route', async () => {
    const name = nameOf(CATALOG_NAME_MAX_LENGTH);
    expect((await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema(name) })).statusCode).toBe(200);
    expect((await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig(name) })).statusCode).toBe(200);

    const answers: Array<[string, string, number]> = [
      ['GET', `/schemas/${name}`, 200],
      ['GET', `/tables/${name}`, 200],
      ['GET', `/tables/${name}_REALTIME`, 200],
      ['GET', `/tables/${name}/schema`, 200],
      ['GET', `/tables/${name}/segments`, 200],
      ['GET', `/tables/${name}/consumingSegmentsInfo`, 200],
      ['GET', `/tables/${name}/deadLetters`, 200],
      ['GET', `/tables/${name}/pauseStatus`, 200],
      ['POST', `/tables/${name}/pauseConsumption`, 200],
      ['POST', `/tables/${name}/resumeConsumption`, 200],
      ['GET', `/segments/${name}`, 200],
      ['GET', `/segments/${name}/${llcSegmentName(name, 123, 4567, Date.UTC(2024, 0, 1))}/metadata`, 404],
    ];
    for (const [method, url, status] of answers) {
      const response = await h.inject({ method: method as 'GET', url });
      expect({ url: url.replace(name, '<name>'), status: response.statusCode }).toEqual({ url: url.replace(name, '<name>'), status });
      if (status >= 400) expect(Object.keys(response.json())).toEqual(['code', 'error']);
    }
    expect((await h.inject({ method: 'PUT', url: `/tables/${name}`, payload: eventsTableConfig(name) })).statusCode).toBe(200);
    expect((await h.inject({ method: 'DELETE', url: `/tables/${name}` })).statusCode).toBe(200);
    expect((await h.inject({ method: 'DELETE', url: `/schemas/${name}` })).statusCode).toBe(200);
  });

  it('a name one character too long is refused at creation with a 400 naming the field and the limit', async () => {
    const name = nameOf(CATALOG_NAME_MAX_LENGTH + 1);
    const schema = await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema(name) });
    expect(schema.json()).toEqual({ code: 400, error: `invalid schema: schemaName: must be at most ${CATALOG_NAME_MAX_LENGTH} characters, got ${CATALOG_NAME_MAX_LENGTH + 1}` });
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema('events') });
    const table = await h.inject({ method: 'POST', url: '/tables', payload: { ...eventsTableConfig(name), schemaName: 'events' } });
    expect(table.json()).toEqual({ code: 400, error: `invalid table config: tableName: must be at most ${CATALOG_NAME_MAX_LENGTH} characters, got ${CATALOG_NAME_MAX_LENGTH + 1}` });
    // Nothing was created; the routes say so rather than failing on the length.
    expect((await h.inject({ method: 'GET', url: `/tables/${name}` })).json()).toEqual({ code: 404, error: `table ${name} does not exist` });
  });

  it('a path segment beyond the router limit is a 414 in Pinot\'s shape', async () => {
    const response = await h.inject({ method: 'GET', url: `/tables/${'y'.repeat(2000)}/segments` });
    expect(response.statusCode).toBe(414);
    expect(response.json()).toEqual({ code: 414, error: expect.stringMatching(/^a path segment is longer than the limit of 1024 characters: \/tables\/y+\.\.\. \(2017 characters\)$/) });
  });

  it('a path with bad percent-encoding is a 400 in Pinot\'s shape', async () => {
    const response = await h.inject({ method: 'GET', url: '/tables/%E0%A4%A' });
    expect(response.statusCode).toBe(400);
    expect(Object.keys(response.json())).toEqual(['code', 'error']);
  });

  it('segment file names of the longest table name fit the 255-byte file-name limit', () => {
    const longest = llcSegmentName(nameOf(CATALOG_NAME_MAX_LENGTH), Number.MAX_SAFE_INTEGER, 999_999_999, Date.UTC(2024, 0, 1));
    expect(Buffer.byteLength(`${longest}.seg.tmp`)).toBeLessThanOrEqual(255);
  });
});

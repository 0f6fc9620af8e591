import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsSchema, eventsTableConfig } from '../helpers/pinot-config-fixtures.js';
import { startHarness } from './http-harness.js';
import type { Harness } from './http-harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  await h.inject({ method: 'POST', url: '/schemas', payload: { ...eventsSchema(), primaryKeyColumns: ['user'] } });
});

afterEach(async () => {
  await h.close();
});

function withUpsert(upsertConfig: Record<string, unknown>): Record<string, unknown> {
  const config = eventsTableConfig();
  (config.tableIndexConfig as Record<string, unknown>).sortedColumn = [];
  return { ...config, upsertConfig };
}

describe('upsertConfig at POST /tables', () => {
  it('an upsert table is created and its config comes back as posted', async () => {
    const response = await h.inject({ method: 'POST', url: '/tables', payload: withUpsert({ mode: 'FULL', comparisonColumns: ['ts'], enableSnapshot: true }) });
    expect(response.statusCode, response.body).toBe(200);
    const table = (await h.inject({ method: 'GET', url: '/tables/events' })).json() as { REALTIME: { upsertConfig: unknown } };
    expect(table.REALTIME.upsertConfig).toEqual({ mode: 'FULL', comparisonColumns: ['ts'], enableSnapshot: true });
  });

  it('a rule broken is a 400 in Pinot\'s error shape naming the field', async () => {
    const response = await h.inject({ method: 'POST', url: '/tables', payload: withUpsert({ mode: 'PARTIAL', partialUpsertStrategies: { user: 'OVERWRITE' } }) });
    expect(response.statusCode).toBe(400);
    const body = response.json() as { code: number; error: string };
    expect(body.code).toBe(400);
    expect(body.error).toContain('upsertConfig.partialUpsertStrategies.user: user is a primary key column; it is never merged');
    expect(body.error).toContain('upsertConfig.mode: PARTIAL needs tableIndexConfig.nullHandlingEnabled: true');
  });
});

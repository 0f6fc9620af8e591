import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../conformance/lib/harness.js';

/**
 * `POST /ingestFromFile` (issue 15): Pinot's controller endpoint loading a dimension table (and a
 * plain table) from CSV and JSON files, as a raw body and as a `curl -F file=@…` multipart upload,
 * through the real server and a kinesalite stream; `lookUp()` then reads the rows. Bad files and
 * parameters answer 400 naming the record or key.
 */
let h: Harness;

const regionsCsv = ['region_id,name,tags', '1,North,cold;wet', '2,South,warm', '3,East,', '4,"West, far",dry;windy'].join('\n');
const visits = Array.from({ length: 30 }, (_, i) => ({ id: i, region: (i % 6) + 1 }));

async function upload(query: string, body: string | FormData, contentType?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${h.server.url}/ingestFromFile?${query}`, { method: 'POST', body, ...(contentType !== undefined ? { headers: { 'content-type': contentType } } : {}) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const params = (table: string, batch: Record<string, string> | null): string =>
  `tableNameWithType=${table}${batch === null ? '' : `&batchConfigMapStr=${encodeURIComponent(JSON.stringify(batch))}`}`;

async function table(name: string, flushRows: number, schema: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<void> {
  const stream = `${name}-${Math.random().toString(36).slice(2, 8)}`;
  await h.createStream(stream, 2);
  await h.createSchemaAndTable(
    { schemaName: name, ...schema },
    { tableName: name, tableType: 'REALTIME', segmentsConfig: { replication: '1' }, tableIndexConfig: { streamConfigs: h.kinesisStreamConfigs(stream, { 'realtime.segment.flush.threshold.rows': String(flushRows) }) }, tenants: {}, metadata: {}, ...extra },
  );
}

beforeAll(async () => {
  h = await Harness.start();
  await table('regions', 3, { dimensionFieldSpecs: [{ name: 'region_id', dataType: 'INT' }, { name: 'name', dataType: 'STRING' }, { name: 'tags', dataType: 'STRING', singleValueField: false }], primaryKeyColumns: ['region_id'] }, { isDimTable: true });
  await table('visits', 10, { dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'region', dataType: 'INT' }] });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('POST /ingestFromFile', () => {
  it('loads a dimension table from a CSV body (multi-value cells split on ;) and a JSON-lines multipart upload', async () => {
    const csv = await upload(params('regions_REALTIME', { inputFormat: 'csv' }), regionsCsv, 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.json.status).toMatch(/^Successfully ingested file into table: regions_REALTIME: 4 records written to stream regions-/);
    // Pinot's tools upload with `curl -F file=@regions.json`; region 2 is replaced, 5 and 6 are new.
    const form = new FormData();
    const lines = [{ region_id: 2, name: 'South2', tags: ['hot'] }, { region_id: 5, name: 'Centre' }, { region_id: 6, name: 'Isles', tags: ['wet'] }];
    form.append('file', new Blob([lines.map((l) => JSON.stringify(l)).join('\n')]), 'regions.json');
    const multipart = await upload(params('regions', { inputFormat: 'json' }), form);
    expect(multipart.status).toBe(200);
    await h.waitForRows('regions', 7);
    const r = await h.query('SELECT region_id, name, tags FROM regions ORDER BY region_id, name LIMIT 100');
    expect(r.resultTable!.rows).toEqual([
      [1, 'North', ['cold', 'wet']],
      [2, 'South', ['warm']],
      [2, 'South2', ['hot']],
      [3, 'East', ['null']],
      [4, 'West, far', ['dry', 'windy']],
      [5, 'Centre', ['null']],
      [6, 'Isles', ['wet']],
    ]);
  });

  it('loads a plain table from a JSON array; lookUp() reads the dimension table, later rows replacing earlier', async () => {
    const res = await upload(params('visits', { inputFormat: 'JSON' }), JSON.stringify(visits), 'application/json');
    expect(res.status).toBe(200);
    await h.waitForRows('visits', visits.length);
    const r = await h.query("SELECT id, lookUp('regions', 'name', 'region_id', region) FROM visits ORDER BY id LIMIT 100");
    const names = ['North', 'South2', 'East', 'West, far', 'Centre', 'Isles'];
    expect(r.resultTable!.rows).toEqual(visits.map((v) => [v.id, names[v.region - 1]]));
  });

  it('reads CSV with another delimiter, a given header and comment lines', async () => {
    const batch = { inputFormat: 'csv', 'recordReader.prop.delimiter': '|', 'recordReader.prop.header': 'region_id|name|tags', 'recordReader.prop.commentMarker': '#', 'recordReader.prop.multiValueDelimiter': '+' };
    const res = await upload(params('regions', batch), '# extra regions\n7|Far North|ice+snow\n', 'text/plain');
    expect(res.status).toBe(200);
    await h.waitForRows('regions', 8);
    const r = await h.query('SELECT tags FROM regions WHERE region_id = 7');
    expect(r.resultTable!.rows).toEqual([[['ice', 'snow']]]);
  });

  it('answers 400 naming the bad parameter or record, 404 for an unknown or OFFLINE table; nothing is written', async () => {
    for (const [query, body, status, text] of [
      [params('regions', null), regionsCsv, 400, 'batchConfigMapStr is required'],
      [params('regions', { inputFormat: 'avro' }), regionsCsv, 400, 'inputFormat "avro" is not supported'],
      ['batchConfigMapStr=%7B%7D', regionsCsv, 400, 'tableNameWithType is required'],
      [params('regions', { inputFormat: 'csv' }), 'region_id,name,tags\n1,a', 400, 'CSV record 1 has 2 cells; the header names 3'],
      [params('regions', { inputFormat: 'csv' }), 'name,tags\nx,y', 400, 'record 1 has no value for primary key column region_id'],
      [params('regions', { inputFormat: 'json' }), '{"region_id": 1}\n{oops', 400, 'line 2 of the JSON file is not valid JSON'],
      [params('regions', { inputFormat: 'json' }), '[1, 2]', 400, 'JSON record 1 is not an object'],
      [params('regions', { inputFormat: 'csv' }), '', 400, 'the request carries no file'],
      [params('regions_OFFLINE', { inputFormat: 'csv' }), regionsCsv, 404, 'regions_OFFLINE'],
      [params('nosuch', { inputFormat: 'csv' }), regionsCsv, 404, 'nosuch'],
    ] as const) {
      const res = await upload(query, body, 'text/csv');
      expect(res.status, `${query}: ${JSON.stringify(res.json)}`).toBe(status);
      expect(String(res.json.error), query).toContain(text);
    }
    const r = await h.query('SELECT count(*) FROM regions');
    expect(r.resultTable!.rows).toEqual([[8]]);
  });
});

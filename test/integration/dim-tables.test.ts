import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../conformance/lib/harness.js';

/**
 * Dimension tables end to end (issue 15, item 8): a table config with `isDimTable: true` fed by
 * its Kinesis stream (kinesalite), `lookUp()` in a fact table's ingestion transform and in a
 * query, and a multi-stage JOIN, all through the real HTTP server. Both tables seal segments
 * (flush at 4 and 25 rows) and keep a consuming one.
 */
const customers = Array.from({ length: 12 }, (_, c) => ({ cid: c, name: `c${c}`, tier: ['gold', 'silver', 'bronze'][c % 3]! }));
// Customer 3 is written again later: its second row (tier "platinum") replaces the first.
const customerRecords = [...customers, { cid: 3, name: 'c3', tier: 'platinum' }];
const orders = Array.from({ length: 80 }, (_, i) => ({ id: i, customer: (i * 7) % 15, amount: (i % 9) * 2.5 }));
const latestTier = new Map(customerRecords.map((c) => [c.cid, c.tier]));

let h: Harness;

const schema = (name: string, dims: { name: string; dataType: string }[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemaName: name,
  dimensionFieldSpecs: dims,
  ...extra,
});

async function tableConfig(name: string, flushRows: number, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const stream = `${name}-${Math.random().toString(36).slice(2, 8)}`;
  await h.createStream(stream, 1);
  return { tableName: name, tableType: 'REALTIME', segmentsConfig: { replication: '1' }, tableIndexConfig: { streamConfigs: h.kinesisStreamConfigs(stream, { 'realtime.segment.flush.threshold.rows': String(flushRows) }) }, tenants: {}, metadata: {}, ...extra };
}

const streamOf = (config: Record<string, unknown>): string => ((config.tableIndexConfig as { streamConfigs: Record<string, string> }).streamConfigs['stream.kinesis.topic.name'])!;

beforeAll(async () => {
  h = await Harness.start();
  const dimConfig = await tableConfig('customers', 4, { isDimTable: true });
  await h.createSchemaAndTable(schema('customers', [{ name: 'cid', dataType: 'INT' }, { name: 'name', dataType: 'STRING' }, { name: 'tier', dataType: 'STRING' }], { primaryKeyColumns: ['cid'] }), dimConfig);
  await h.produce(streamOf(dimConfig), customerRecords, (c) => String(c.cid));
  await h.waitForRows('customers', customerRecords.length);

  const factConfig = await tableConfig('orders', 25, { ingestionConfig: { transformConfigs: [{ columnName: 'tier', transformFunction: "lookUp('customers', 'tier', 'cid', customer)" }] } });
  await h.createSchemaAndTable(
    schema('orders', [{ name: 'id', dataType: 'LONG' }, { name: 'customer', dataType: 'INT' }, { name: 'tier', dataType: 'STRING' }], { metricFieldSpecs: [{ name: 'amount', dataType: 'DOUBLE' }] }),
    factConfig,
  );
  await h.produce(streamOf(factConfig), orders, (o) => String(o.id));
  await h.waitForRows('orders', orders.length);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

function countBy<T>(rows: readonly T[], key: (r: T) => string): [string, number][] {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
  return [...m].sort(([a], [b]) => (a < b ? -1 : 1));
}

describe('dimension tables over HTTP', () => {
  it('GET /tables/customers keeps isDimTable; both tables have sealed and consuming segments', async () => {
    const config = JSON.parse((await h.call('GET', '/tables/customers')).text) as { REALTIME: { isDimTable: boolean } };
    expect(config.REALTIME.isDimTable).toBe(true);
    for (const table of ['customers', 'orders']) {
      const r = await h.query(`SELECT count(*) FROM ${table}`);
      expect((r as { numConsumingSegmentsQueried?: number }).numConsumingSegmentsQueried).toBe(1);
      expect((r as { numSegmentsQueried?: number }).numSegmentsQueried).toBeGreaterThan(1);
    }
  });

  it('an ingestion transform calling lookUp() fills the column from the dimension table (missing key: the default null value)', async () => {
    const r = await h.query('SELECT tier, count(*) FROM orders GROUP BY tier ORDER BY tier LIMIT 100');
    expect(r.exceptions).toEqual([]);
    const expected = countBy(orders, (o) => latestTier.get(o.customer) ?? 'null');
    expect(r.resultTable!.rows.map((row) => [row[0], Number(row[1])])).toEqual(expected);
  });

  it('lookUp() in a query and a multi-stage JOIN answer the same rows', async () => {
    const viaLookup = await h.query("SELECT id, lookUp('customers', 'name', 'cid', customer) FROM orders ORDER BY id LIMIT 100");
    expect(viaLookup.resultTable!.rows).toEqual(orders.map((o) => [o.id, o.customer < 12 ? `c${o.customer}` : 'null']));
    const join = await h.query('SET useMultistageEngine=true; SELECT c.tier, count(*) AS n, sum(o.amount) AS total FROM orders o JOIN customers c ON o.customer = c.cid GROUP BY c.tier ORDER BY c.tier LIMIT 10');
    expect(join.exceptions).toEqual([]);
    const matched = orders.filter((o) => latestTier.has(o.customer));
    const expected = countBy(matched, (o) => latestTier.get(o.customer)!).map(([tier, n]) => [tier, n, matched.filter((o) => latestTier.get(o.customer) === tier).reduce((t, o) => t + o.amount, 0)]);
    expect(join.resultTable!.rows.map((row) => [row[0], Number(row[1]), Number(row[2])])).toEqual(expected);
  });

  it('refuses isDimTable without a primary key, and lookUp() of a table that is not a dimension table, with a 400 naming the field', async () => {
    await h.call('POST', '/schemas', schema('nokey', [{ name: 'k', dataType: 'INT' }]));
    const noKey = await h.call('POST', '/tables', await tableConfig('nokey', 10, { isDimTable: true }));
    expect(noKey.status).toBe(400);
    expect(noKey.text).toContain('isDimTable: a dimension table is looked up by primary key; schema nokey has no primaryKeyColumns');
    await h.call('POST', '/schemas', schema('badfact', [{ name: 'customer', dataType: 'INT' }, { name: 'x', dataType: 'LONG' }]));
    const badFact = await h.call('POST', '/tables', await tableConfig('badfact', 10, { ingestionConfig: { transformConfigs: [{ columnName: 'x', transformFunction: "lookUp('orders', 'id', 'id', customer)" }] } }));
    expect(badFact.status).toBe(400);
    expect(badFact.text).toContain('ingestionConfig.transformConfigs[0].transformFunction');
    expect(badFact.text).toContain('orders is not a dimension table');
  });
});

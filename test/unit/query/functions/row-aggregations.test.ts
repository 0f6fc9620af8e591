import { describe, expect, it } from 'vitest';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { withDuckTable } from './duck-table.js';

/**
 * LISTAGG … WITHIN GROUP (ORDER BY …), EXPR_MIN / EXPR_MAX and FUNNEL_COUNT (issue 15) on three
 * sealed segments and a consuming one, against DuckDB over the same rows.
 */
const SCHEMA: PinotSchema = {
  schemaName: 'ev',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'usr', dataType: 'STRING' },
    { name: 'url', dataType: 'STRING' },
    { name: 'country', dataType: 'STRING' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
  ],
  metricFieldSpecs: [
    { name: 'amount', dataType: 'DOUBLE' },
    { name: 'clicks', dataType: 'INT' },
  ],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
};
const URLS = ['/home', '/cart', '/checkout', '/done', '/help'];
const COUNTRIES = ['NL', 'DE', 'US', 'FR'];
const N = 90;
const ROWS = Array.from({ length: N }, (_, i) => ({
  id: i,
  usr: `u${(i * 7) % 23}`,
  url: URLS[(i * i + i) % 5]!,
  country: COUNTRIES[i % 4]!,
  tags: i % 3 === 0 ? ['p', 'q'] : [`t${i % 2}`],
  amount: ((i * 37) % 11) - 2.5,
  clicks: (i * 13) % 7,
  ts: 1_700_000_000_000 + ((i * 7919) % N) * 1000,
}));

const fx = withDuckTable({
  schema: SCHEMA,
  cells: ROWS.map((r) => [BigInt(r.id), r.usr, r.url, r.country, r.tags, r.amount, r.clicks, BigInt(r.ts)]),
  segmentRows: 25,
  duckSql: [
    'CREATE TABLE ev (id BIGINT, usr VARCHAR, url VARCHAR, country VARCHAR, amount DOUBLE, clicks INTEGER, ts BIGINT)',
    `INSERT INTO ev VALUES ${ROWS.map((r) => `(${r.id}, '${r.usr}', '${r.url}', '${r.country}', ${r.amount}, ${r.clicks}, ${r.ts})`).join(', ')}`,
  ],
});
const { ours, reference, error } = fx;

describe('LISTAGG … WITHIN GROUP (ORDER BY …)', () => {
  it('spans sealed and consuming segments', async () => {
    const r = await fx.query('SELECT count(*) FROM ev');
    expect([r.numSegmentsQueried, r.numConsumingSegmentsQueried]).toEqual([4, 1]);
  });

  it('joins the values in the order of the sort keys, as DuckDB string_agg(… ORDER BY …)', async () => {
    const got = await ours("SELECT country, LISTAGG(url, '|') WITHIN GROUP (ORDER BY ts DESC), LISTAGG(id, ',') WITHIN GROUP (ORDER BY amount, id DESC) FROM ev GROUP BY country ORDER BY country LIMIT 10");
    expect(got.types).toEqual(['STRING', 'STRING', 'STRING']);
    expect(got.names[1]).toBe("listagg(url,'|') WITHIN GROUP(ORDER BY ts DESC)");
    const ref = await reference("SELECT country, string_agg(url, '|' ORDER BY ts DESC), string_agg(id::VARCHAR, ',' ORDER BY amount, id DESC) FROM ev GROUP BY country ORDER BY country");
    expect(got.rows).toEqual(ref);
    const all = await ours("SELECT LISTAGG(usr) WITHIN GROUP (ORDER BY ts) FROM ev WHERE clicks = 3");
    expect(all.rows).toEqual(await reference("SELECT string_agg(usr, ',' ORDER BY ts) FROM ev WHERE clicks = 3"));
  });

  it('with DISTINCT keeps each value once; an empty group answers null', async () => {
    const got = await ours("SELECT clicks, LISTAGG(DISTINCT url, ';') WITHIN GROUP (ORDER BY url DESC) FROM ev GROUP BY clicks ORDER BY clicks LIMIT 10");
    expect(got.rows).toEqual(await reference("SELECT clicks, string_agg(DISTINCT url, ';' ORDER BY url DESC) FROM ev GROUP BY clicks ORDER BY clicks"));
    expect((await ours("SELECT LISTAGG(url, ',') WITHIN GROUP (ORDER BY ts) FROM ev WHERE id < 0")).rows).toEqual([[null]]);
  });

  it('lists each value of a multi-value argument under its row keys', async () => {
    const got = await ours("SELECT LISTAGG(tags, ',') WITHIN GROUP (ORDER BY id DESC) FROM ev WHERE id < 4");
    expect(got.rows).toEqual([['p,q,t0,t1,p,q']]); // ids 3, 2, 1, 0
  });

  it('refuses WITHIN GROUP elsewhere, and bad arguments, naming them', async () => {
    expect(await error('SELECT SUM(amount) WITHIN GROUP (ORDER BY ts) FROM ev')).toMatchObject({ code: 700, message: expect.stringContaining('applies only to LISTAGG') });
    expect(await error("SELECT ARRAY_AGG(url, 'STRING') WITHIN GROUP (ORDER BY ts) FROM ev")).toMatchObject({ message: expect.stringContaining('applies only to LISTAGG') });
    expect(await error("SELECT upper(url) WITHIN GROUP (ORDER BY ts) FROM ev")).toMatchObject({ message: expect.stringContaining('WITHIN GROUP applies only to aggregation functions') });
    expect(await error('SELECT LISTAGG(url, 3) WITHIN GROUP (ORDER BY ts) FROM ev')).toMatchObject({ code: 200, message: expect.stringContaining('separator (argument 2)') });
    expect(await error('SELECT LISTAGG(url) WITHIN GROUP (ORDER BY tags) FROM ev')).toMatchObject({ code: 200, message: expect.stringContaining('sort key 1 (tags) must be single-value') });
    expect((await error('SELECT LISTAGG(url) WITHIN GROUP (ts) FROM ev')).code).toBe(150);
  });
});

describe('EXPR_MIN / EXPR_MAX(projection, measure, …)', () => {
  it("answer the projection of the row with the extreme measures, in the projection's type", async () => {
    const got = await ours('SELECT country, EXPR_MAX(url, amount, ts), EXPR_MIN(id, amount, clicks, ts), exprmax(amount, clicks) FROM ev GROUP BY country ORDER BY country LIMIT 10');
    expect(got.types).toEqual(['STRING', 'STRING', 'LONG', 'DOUBLE']);
    expect(got.names.slice(1)).toEqual(['exprmax(url,amount,ts)', 'exprmin(id,amount,clicks,ts)', 'exprmax(amount,clicks)']);
    // A full tie on the measures answers the smallest projection.
    const ref = await reference(
      'SELECT country, first(url ORDER BY amount DESC, ts DESC), first(id ORDER BY amount, clicks, ts), first(amount ORDER BY clicks DESC, amount) FROM ev GROUP BY country ORDER BY country',
    );
    expect(got.rows).toEqual(ref);
    const whole = await ours('SELECT EXPR_MIN(usr, clicks), EXPR_MAX(tags, ts) FROM ev');
    expect(whole.types).toEqual(['STRING', 'STRING_ARRAY']);
    expect(whole.rows).toEqual([[(await reference('SELECT first(usr ORDER BY clicks, usr) FROM ev'))[0]![0], ROWS.reduce((a, b) => (b.ts > a.ts ? b : a)).tags]]);
  });

  it('answer null for an empty group and refuse bad arguments', async () => {
    expect((await ours('SELECT EXPR_MAX(url, ts) FROM ev WHERE id < 0')).rows).toEqual([[null]]);
    expect(await error('SELECT EXPR_MAX(url) FROM ev')).toMatchObject({ code: 200, message: expect.stringContaining('expects at least 2 argument(s)') });
    expect(await error('SELECT EXPR_MIN(url, tags) FROM ev')).toMatchObject({ code: 200, message: expect.stringContaining('argument 2 (tags) must be single-value') });
    expect(await error('SELECT EXPR_MIN(*, ts) FROM ev')).toMatchObject({ code: 200, message: expect.stringContaining('not *') });
  });
});

describe('FUNNEL_COUNT(STEPS(…), CORRELATE_BY(…))', () => {
  const reach = (steps: string[]): string =>
    `(SELECT count(*) FROM (SELECT usr FROM ev GROUP BY usr HAVING ${steps.map((s) => `bool_or(${s})`).join(' AND ')}))`;

  it('counts the ids that reached every step so far, as LONG_ARRAY', async () => {
    const steps = ["url = '/home'", "url = '/cart'", "url = '/checkout'"];
    const got = await ours(`SELECT FUNNEL_COUNT(STEPS(${steps.join(', ')}), CORRELATE_BY(usr)) FROM ev`);
    expect(got.types).toEqual(['LONG_ARRAY']);
    const ref = await reference(`SELECT ${reach(steps.slice(0, 1))}, ${reach(steps.slice(0, 2))}, ${reach(steps)}`);
    expect(got.rows).toEqual([[ref[0]]]);
    // SETTINGS pick Pinot's counting strategy; shardtable counts exactly under each.
    const set = await ours(`SELECT funnelCount(STEPS(${steps.join(', ')}), CORRELATE_BY(usr), SETTINGS('set')), FUNNEL_COUNT(CORRELATE_BY(usr), STEPS(${steps.join(', ')}), SETTINGS('theta_sketch', 'nominalEntries=4096')) FROM ev`);
    expect(set.rows).toEqual([[ref[0], ref[0]]]);
  });

  it('per group, and empty groups answer zeros', async () => {
    const got = await ours("SELECT country, FUNNEL_COUNT(STEPS(url = '/cart', clicks > 2), CORRELATE_BY(usr)) FROM ev GROUP BY country ORDER BY country LIMIT 10");
    const ref = await reference(
      "SELECT country, count(DISTINCT usr) FILTER (WHERE url = '/cart'), (SELECT count(*) FROM (SELECT usr FROM ev e2 WHERE e2.country = e.country GROUP BY usr HAVING bool_or(url = '/cart') AND bool_or(clicks > 2))) FROM ev e GROUP BY country ORDER BY country",
    );
    expect(got.rows).toEqual(ref.map((r) => [r[0], [r[1], r[2]]]));
    expect((await ours("SELECT FUNNEL_COUNT(STEPS(url = '/a', url = '/b'), CORRELATE_BY(usr)) FROM ev WHERE id < 0")).rows).toEqual([[[0, 0]]]);
  });

  it('take FILTER (WHERE …) like any aggregation, and serve HAVING and ORDER BY', async () => {
    const funnel = "FUNNEL_COUNT(STEPS(url = '/home', url = '/cart'), CORRELATE_BY(usr))";
    const filtered = await ours(`SELECT ${funnel} FILTER (WHERE clicks > 2), EXPR_MAX(id, ts) FILTER (WHERE clicks > 2), count(*) FROM ev`);
    const where = await ours(`SELECT ${funnel}, EXPR_MAX(id, ts) FROM ev WHERE clicks > 2`);
    expect(filtered.rows[0]!.slice(0, 2)).toEqual(where.rows[0]);
    const having = await ours('SELECT country, EXPR_MIN(url, ts) AS first_url FROM ev GROUP BY country HAVING first_url <> \'/help\' ORDER BY first_url DESC, country LIMIT 10');
    const ref = await reference("SELECT * FROM (SELECT country, first(url ORDER BY ts) AS f FROM ev GROUP BY country) WHERE f <> '/help' ORDER BY f DESC, country");
    expect(having.rows).toEqual(ref);
  });

  it('refuses bad arguments naming them', async () => {
    expect(await error("SELECT FUNNEL_COUNT(STEPS(url = '/a')) FROM ev")).toMatchObject({ code: 200, message: expect.stringContaining('requires CORRELATE_BY(column)') });
    expect(await error('SELECT FUNNEL_COUNT(CORRELATE_BY(usr), STEPS(url)) FROM ev')).toMatchObject({ message: expect.stringContaining('step 1 (url) must be a boolean expression') });
    expect(await error("SELECT FUNNEL_COUNT(STEPS(url = '/a'), CORRELATE_BY(usr), SETTINGS('fast')) FROM ev")).toMatchObject({ message: expect.stringContaining("unknown setting 'fast'") });
    expect(await error("SELECT FUNNEL_COUNT(url, CORRELATE_BY(usr)) FROM ev")).toMatchObject({ message: expect.stringContaining('expects STEPS(…), CORRELATE_BY(…)') });
  });
});

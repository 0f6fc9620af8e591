import { describe, expect, it } from 'vitest';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { withDuckTable } from './duck-table.js';

/**
 * The functions realtime users write (issue 15, item 6) on real segments (two sealed, one
 * consuming), each checked against DuckDB over the same rows or a reference computed here.
 */
const SCHEMA: PinotSchema = {
  schemaName: 'rt',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'country', dataType: 'STRING' },
  ],
  metricFieldSpecs: [
    { name: 'clicks', dataType: 'INT' },
    { name: 'amount', dataType: 'DOUBLE' },
  ],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:TIMESTAMP', granularity: '1:MILLISECONDS' }],
};
const COUNTRIES = ['NL', 'DE', 'US', 'FR', 'BE'];
const N = 60;
/** 111 h 17 min apart from 2023-07-22: crosses both 2023-11-05 and 2024-03-10 DST changes in Los Angeles. */
const tsOf = (i: number): number => 1_690_000_000_000 + i * (111 * 3_600_000 + 17 * 60_000);
const row = (i: number): { id: number; country: string; clicks: number; amount: number; ts: number } => ({
  id: i,
  country: COUNTRIES[(i * 7) % 5]!,
  clicks: (i * i) % 7,
  amount: ((i * 13) % 11) * 1.5,
  ts: tsOf(i),
});
const ROWS = Array.from({ length: N }, (_, i) => row(i));

const fx = withDuckTable({
  schema: SCHEMA,
  cells: ROWS.map((r) => [BigInt(r.id), r.country, r.clicks, r.amount, BigInt(r.ts)]),
  segmentRows: 22,
  duckSql: [
    'CREATE TABLE rt (id BIGINT, country VARCHAR, clicks INTEGER, amount DOUBLE, ts BIGINT)',
    `INSERT INTO rt VALUES ${ROWS.map((r) => `(${r.id}, '${r.country}', ${r.clicks}, ${r.amount}, ${r.ts})`).join(', ')}`,
  ],
});
const { ours, reference } = fx;

describe('realtime SQL functions, on sealed and consuming segments', () => {
  it('spans sealed and consuming segments', async () => {
    const r = await fx.query('SELECT count(*) FROM rt');
    expect(r.numSegmentsQueried).toBe(3);
    expect(r.numConsumingSegmentsQueried).toBe(1);
  });

  it('filtered aggregations: any aggregation with FILTER (WHERE …), with and without GROUP BY', async () => {
    const got = await ours(
      "SELECT country, count(*) FILTER (WHERE clicks > 2), sum(amount) FILTER (WHERE id < 30 AND country <> 'US'), max(clicks) FILTER (WHERE id IN (1, 2, 3)), count(*) FROM rt GROUP BY country ORDER BY country LIMIT 100",
    );
    expect(got.names).toEqual(['country', "count(*) FILTER(WHERE clicks > '2')", "sum(amount) FILTER(WHERE (id < '30' AND country != 'US'))", "max(clicks) FILTER(WHERE id IN ('1','2','3'))", 'count(*)']);
    expect(got.types).toEqual(['STRING', 'LONG', 'DOUBLE', 'DOUBLE', 'LONG']);
    const ref = await reference(
      "SELECT country, count(*) FILTER (WHERE clicks > 2), coalesce(sum(amount) FILTER (WHERE id < 30 AND country <> 'US'), 0), coalesce(max(clicks) FILTER (WHERE id IN (1, 2, 3)), '-Infinity'::DOUBLE), count(*) FROM rt GROUP BY country ORDER BY country",
    );
    expect(got.rows).toEqual(ref.map((r) => [r[0], r[1], r[2], r[3] === Number.NEGATIVE_INFINITY ? '-Infinity' : r[3], r[4]]));
    const total = await ours("SELECT count(*) FILTER (WHERE country = 'NL'), avg(amount) FILTER (WHERE clicks BETWEEN 1 AND 3) FROM rt");
    expect(total.rows).toEqual(await reference("SELECT count(*) FILTER (WHERE country = 'NL'), avg(amount) FILTER (WHERE clicks BETWEEN 1 AND 3) FROM rt"));
  });

  it('MODE: the most frequent value as DOUBLE, the smallest of ties unless MAX or AVG is asked', async () => {
    const got = await ours("SELECT country, mode(clicks), mode(clicks, 'MAX'), mode(clicks, 'AVG') FROM rt GROUP BY country ORDER BY country LIMIT 100");
    expect(got.types).toEqual(['STRING', 'DOUBLE', 'DOUBLE', 'DOUBLE']);
    const ref = await reference(
      'WITH c AS (SELECT country, clicks, count(*) AS n FROM rt GROUP BY ALL), m AS (SELECT country, max(n) AS top FROM c GROUP BY ALL) ' +
        'SELECT c.country, min(clicks)::DOUBLE, max(clicks)::DOUBLE, avg(clicks)::DOUBLE FROM c JOIN m ON c.country = m.country AND c.n = m.top GROUP BY c.country ORDER BY c.country',
    );
    expect(got.rows).toEqual(ref);
  });

  it('MIN/MAX of a string column answer strings (as the multi-stage engine does)', async () => {
    const got = await ours('SELECT clicks, min(country), max(country) FROM rt GROUP BY clicks ORDER BY clicks LIMIT 100');
    expect(got.types).toEqual(['INT', 'STRING', 'STRING']);
    expect(got.rows).toEqual(await reference('SELECT clicks, min(country), max(country) FROM rt GROUP BY clicks ORDER BY clicks'));
  });

  it('firstWithTime / lastWithTime: the value at the earliest / latest time, typed by the third argument', async () => {
    const got = await ours("SELECT country, firstWithTime(clicks, ts, 'INT'), lastWithTime(amount, ts, 'DOUBLE'), lastWithTime(id, ts, 'LONG') FROM rt GROUP BY country ORDER BY country LIMIT 100");
    expect(got.names).toEqual(['country', "firstwithtime(clicks,ts,'INT')", "lastwithtime(amount,ts,'DOUBLE')", "lastwithtime(id,ts,'LONG')"]);
    expect(got.types).toEqual(['STRING', 'INT', 'DOUBLE', 'LONG']);
    expect(got.rows).toEqual(await reference('SELECT country, arg_min(clicks, ts), arg_max(amount, ts), arg_max(id, ts) FROM rt GROUP BY country ORDER BY country'));
    const bad = await fx.query("SELECT lastWithTime(clicks, ts, 'LONG') FROM rt");
    expect(bad.exceptions[0]!.errorCode).toBe(200);
  });

  it('EXTRACT(part FROM ts) as INT', async () => {
    const got = await ours('SELECT id, EXTRACT(YEAR FROM ts), EXTRACT(MONTH FROM ts), EXTRACT(DAY FROM ts), EXTRACT(HOUR FROM ts), EXTRACT(MINUTE FROM ts), EXTRACT(SECOND FROM ts) FROM rt ORDER BY id LIMIT 100');
    expect(got.types).toEqual(['LONG', 'INT', 'INT', 'INT', 'INT', 'INT', 'INT']);
    const parts = ['year', 'month', 'day', 'hour', 'minute', 'second'].map((p) => `extract(${p} FROM to_timestamp(ts / 1000))::INTEGER`).join(', ');
    expect(got.rows).toEqual(await reference(`SELECT id, ${parts} FROM rt ORDER BY id`));
  });

  it('DATETRUNC in an IANA time zone follows daylight saving time', async () => {
    for (const unit of ['HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR']) {
      for (const zone of ['America/Los_Angeles', 'Europe/Amsterdam', 'Asia/Kolkata', 'UTC']) {
        const got = await ours(`SELECT id, DATETRUNC('${unit}', ts, 'MILLISECONDS', '${zone}') FROM rt ORDER BY id LIMIT 100`);
        const ref = await reference(
          `SELECT id, epoch_ms(timezone('${zone}', date_trunc('${unit.toLowerCase()}', timezone('${zone}', to_timestamp(ts / 1000))))) FROM rt ORDER BY id`,
        );
        expect({ unit, zone, rows: got.rows }).toEqual({ unit, zone, rows: ref });
      }
    }
    // The GROUP BY bucket path (numeric keys) agrees with the row-by-row one.
    const buckets = await ours("SELECT DATETRUNC('DAY', ts, 'MILLISECONDS', 'America/Los_Angeles') AS d, count(*) FROM rt GROUP BY d ORDER BY d LIMIT 1000");
    const zoned = "epoch_ms(timezone('America/Los_Angeles', date_trunc('day', timezone('America/Los_Angeles', to_timestamp(ts / 1000)))))";
    expect(buckets.rows).toEqual(await reference(`SELECT ${zoned} AS d, count(*) FROM rt GROUP BY d ORDER BY d`));
    const bad = await fx.query("SELECT DATETRUNC('DAY', ts, 'MILLISECONDS', 'Mars/Olympus') FROM rt");
    expect(bad.exceptions[0]!.message).toContain("time zone 'Mars/Olympus' is not known");
  });

  it('ago(ISO-8601 duration) is now minus the duration, in millis', async () => {
    const before = Date.now();
    const got = await ours("SELECT ago('PT1H'), ago('P1DT30M'), count(*) FROM rt WHERE ts > ago('P100000D') GROUP BY ago('PT1H'), ago('P1DT30M')");
    const after = Date.now();
    const [hour, day, count] = got.rows[0] as [number, number, number];
    expect(got.types).toEqual(['LONG', 'LONG', 'LONG']);
    expect(hour).toBeGreaterThanOrEqual(before - 3_600_000);
    expect(hour).toBeLessThanOrEqual(after - 3_600_000);
    expect(hour - day).toBe(86_400_000 + 1_800_000 - 3_600_000);
    expect(count).toBe(N);
    expect((await fx.query("SELECT ago('1 hour') FROM rt")).exceptions[0]!.errorCode).toBe(200);
  });
});

describe('regexpReplace group references', () => {
  it('reads $1 as group 1 and \\1 as an escaped literal 1, as Java\'s Matcher.replaceAll does', async () => {
    const got = await ours("SELECT regexpReplace(country, '(N)(L)', '[$2$1|\\1]') FROM rt WHERE id = 0");
    expect(got.rows).toEqual([['[LN|1]']]);
  });
});

describe('joins and subqueries', () => {
  it('answer Pinot\'s "multi-stage engine not enabled" error (450), never a syntax error', async () => {
    for (const sql of [
      'SELECT a.id FROM rt a JOIN dims d ON a.country = d.country',
      'SELECT * FROM rt LEFT JOIN dims ON rt.id = dims.id',
      'SELECT * FROM rt, dims',
      'SELECT count(*) FROM (SELECT id FROM rt)',
      'SELECT id FROM rt WHERE id IN (SELECT id FROM rt)',
    ]) {
      const r = await fx.query(sql);
      expect(r.resultTable).toBeUndefined();
      expect(r.exceptions).toHaveLength(1);
      expect(r.exceptions[0]!.errorCode).toBe(450);
      expect(r.exceptions[0]!.message).toMatch(/^InternalError:\nV2 Multi-Stage query engine not enabled\. The query uses (a JOIN|a subquery)/);
    }
  });

  it('with SET useMultistageEngine=true, what shardtable cannot answer is a 720 saying so (joins with a dimension table run: test/unit/query/dim)', async () => {
    for (const sql of ['SELECT count(*) FROM (SELECT id FROM rt)', 'SELECT * FROM rt, dims', 'SELECT * FROM rt FULL JOIN dims ON rt.id = dims.id']) {
      const r = await fx.query(`SET useMultistageEngine=true; ${sql}`);
      expect(r.exceptions[0]!.errorCode).toBe(720);
      expect(r.exceptions[0]!.message).toMatch(/^QueryPlanningError:\nThe query uses .*, which shardtable's multi-stage engine does not answer/);
    }
  });

  it('single-table queries still run with SET useMultistageEngine=true', async () => {
    const r = await fx.query('SET useMultistageEngine=true; SELECT count(*) FROM rt');
    expect(r.resultTable!.rows).toEqual([[N]]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentileOf } from '../../../../src/query/functions/aggregation-functions.js';
import { buildFixture, EVENTS_SCHEMA, eventRows } from '../query-fixtures.js';
import type { QueryFixture } from '../query-fixtures.js';

const N = 30;
// Row 5 is all nulls: dimension defaults (INT -2147483648, LONG min, STRING "null"), metrics 0.
const clicks = Array.from({ length: N }, (_, i) => (i === 5 ? 0 : i));

describe('query execution over sealed and consuming segments', () => {
  let f: QueryFixture;
  beforeAll(async () => {
    f = await buildFixture(EVENTS_SCHEMA, eventRows(N), { segmentRows: 10, indexing: { invertedIndexColumns: ['country'] } });
  });
  afterAll(() => f.cleanup());

  const rows = async (sql: string, options?: string): Promise<unknown[][]> => {
    const r = await f.query(sql, options);
    expect(r.exceptions).toEqual([]);
    return r.resultTable!.rows;
  };

  it('counts every row of every segment and reports statistics', async () => {
    const r = await f.query('SELECT count(*) FROM events');
    expect(r.resultTable).toEqual({ dataSchema: { columnNames: ['count(*)'], columnDataTypes: ['LONG'] }, rows: [[N]] });
    expect(r).toMatchObject({ totalDocs: N, numDocsScanned: N, numSegmentsQueried: 3, numSegmentsProcessed: 3, numSegmentsMatched: 3, numConsumingSegmentsQueried: 1, numRowsResultSet: 1, partialResult: false });
    expect(r.minConsumingFreshnessTimeMs).toBe(1_700_000_000_000 + 29);
  });

  it('writes the response fields in Pinot order', async () => {
    const text = await f.raw('SELECT count(*) FROM events');
    const keys = Object.keys(JSON.parse(text) as object);
    // The whole list, in BrokerResponseNative's order, is pinned by test/http/query-routes.test.ts;
    // here: the statistics the engine computes come in that order.
    const core = [
      'resultTable', 'numRowsResultSet', 'partialResult', 'exceptions', 'numGroupsLimitReached', 'timeUsedMs', 'numDocsScanned', 'totalDocs',
      'numEntriesScannedInFilter', 'numEntriesScannedPostFilter', 'numSegmentsQueried', 'numSegmentsProcessed', 'numSegmentsMatched',
      'numConsumingSegmentsQueried', 'minConsumingFreshnessTimeMs',
    ];
    expect(keys.filter((k) => core.includes(k))).toEqual(core);
  });

  it('computes every aggregation as Pinot does', async () => {
    const sum = clicks.reduce((a, b) => a + b, 0);
    const [row] = await rows(
      'SELECT sum(clicks), min(clicks), max(clicks), avg(clicks), minmaxrange(clicks), distinctcount(country), distinctcounthll(country), percentile(clicks, 50), percentileest(clicks, 90), percentiletdigest(clicks, 10), count(country) FROM events',
    );
    expect(row).toEqual([sum, 0, 29, sum / N, 29, 5, 5, percentileOf(clicks, 50), percentileOf(clicks, 90), percentileOf(clicks, 10), N]);
  });

  it('computes the MV aggregations over every value, with default null values', async () => {
    const tagCount = Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 2 : 1)).reduce((a, b) => a + b, 0);
    const scores = Array.from({ length: N }, (_, i) => (i === 5 ? [-2147483648] : [i, i * 10])).flat();
    const [row] = await rows('SELECT countmv(tags), summv(scores), minmv(scores), maxmv(scores), distinctcountmv(tags), percentilemv(scores, 50) FROM events');
    expect(row).toEqual([tagCount, scores.reduce((a, b) => a + b, 0), -2147483648, 290, 4, percentileOf(scores, 50)]);
  });

  it('aggregates an empty match as Pinot does', async () => {
    const text = await f.raw('SELECT count(*), sum(clicks), min(clicks), max(clicks), avg(clicks) FROM events WHERE clicks > 1000');
    expect(text).toContain('"rows":[[0,0.0,"Infinity","-Infinity","-Infinity"]]');
  });

  it('matches multi-value predicates when any value matches, and negations when none does', async () => {
    expect(await rows("SELECT count(*) FROM events WHERE tags = 'a'")).toEqual([[10]]);
    expect(await rows("SELECT count(*) FROM events WHERE tags <> 'a'")).toEqual([[20]]);
    expect(await rows("SELECT count(*) FROM events WHERE NOT tags = 'a'")).toEqual([[20]]);
    expect(await rows("SELECT count(*) FROM events WHERE tags IN ('b', 'c')")).toEqual([[29]]);
    expect(await rows("SELECT count(*) FROM events WHERE tags NOT IN ('b', 'c')")).toEqual([[1]]);
    expect(await rows('SELECT count(*) FROM events WHERE scores > 250')).toEqual([[4]]);
    expect(await rows('SELECT count(*) FROM events WHERE scores BETWEEN 100 AND 120')).toEqual([[3]]);
  });

  it('shows default null values when null handling is off', async () => {
    const r = await f.raw('SELECT country, rank, big, tags, scores, clicks, amount, price, active FROM events WHERE id = 5');
    expect(r).toContain('"rows":[["null",-2147483648,-9223372036854775808,["null"],[-2147483648],0,0.0,0.0,false]]');
  });

  it('keeps LONG exact in filters and output', async () => {
    const r = await f.raw('SELECT id, big FROM events WHERE big = 9007199254740996');
    expect(r).toContain('"rows":[[3,9007199254740996]]');
    expect(await rows('SELECT count(*) FROM events WHERE big > 9007199254740995 AND big < 9007199254740997')).toEqual([[1]]);
  });

  it('prints FLOAT as float, DOUBLE as Java does, TIMESTAMP, BOOLEAN and BYTES as Pinot does', async () => {
    const r = await f.raw('SELECT price, amount, ts, active, raw, payload FROM events WHERE id = 1');
    expect(r).toContain('"rows":[[1.1,1.5,"2023-11-14 22:13:21.0",true,"01ff","{\\"user\\":{\\"name\\":\\"u1\\",\\"age\\":21},\\"n\\":1}"]]');
    expect(await f.raw('SELECT price FROM events WHERE price = 12.1')).toContain('"rows":[[12.1]]');
    expect(await f.raw('SELECT amount * 1000000000 FROM events WHERE id = 2')).toContain('"rows":[[3.0E9]]');
  });

  it('sorts, limits and offsets selections (top-k)', async () => {
    expect(await rows('SELECT clicks FROM events ORDER BY clicks DESC LIMIT 3 OFFSET 2')).toEqual([[27], [26], [25]]);
    expect(await rows('SELECT clicks FROM events ORDER BY clicks DESC LIMIT 2, 3')).toEqual([[27], [26], [25]]);
    expect(await rows('SELECT id FROM events ORDER BY country, id DESC LIMIT 3')).toEqual([[29], [25], [21]]);
    expect(await rows('SELECT id FROM events')).toHaveLength(10);
    expect(await rows('SELECT id FROM events ORDER BY rank * -1, id LIMIT 2')).toEqual([[4], [9]]);
  });

  it('groups, orders by aggregates and aliases, applies HAVING, LIMIT and OFFSET', async () => {
    expect(await rows('SELECT country, count(*) AS n FROM events GROUP BY country ORDER BY n DESC, country LIMIT 3')).toEqual([
      ['NL', 8],
      ['DE', 7],
      ['FR', 7],
    ]);
    expect(await rows('SELECT country, sum(clicks) FROM events GROUP BY country HAVING sum(clicks) > 110 ORDER BY 1')).toEqual([
      ['DE', 115],
      ['NL', 112],
    ]);
    expect(await rows('SELECT country FROM events GROUP BY country ORDER BY country LIMIT 2 OFFSET 1')).toEqual([['FR'], ['NL']]);
    expect(await rows('SELECT device, max(clicks) - min(clicks) FROM events GROUP BY device ORDER BY device')).toEqual([
      ['android', 28],
      ['ios', 28],
      ['null', 0],
    ]);
  });

  it('resolves select aliases anywhere in HAVING: function calls, CASE, CAST, negation, LIKE, IS NULL', async () => {
    // Groups: NL 8, DE 7, FR 7, US 7 and 'null' 1 (row 5).
    const byCount = 'SELECT country, count(*) AS cnt FROM events GROUP BY country';
    expect(await rows(`${byCount} HAVING abs(cnt) > 1 ORDER BY country`)).toEqual([
      ['DE', 7],
      ['FR', 7],
      ['NL', 8],
      ['US', 7],
    ]);
    expect(await rows(`${byCount} HAVING CASE WHEN cnt > 7 THEN 1 ELSE 0 END = 1`)).toEqual([['NL', 8]]);
    expect(await rows(`${byCount} HAVING CAST(cnt AS DOUBLE) < 2`)).toEqual([['null', 1]]);
    expect(await rows(`${byCount} HAVING -cnt < -7`)).toEqual([['NL', 8]]);
    expect(await rows(`${byCount} HAVING abs(count(*) - 8) = 0`)).toEqual([['NL', 8]]);
    expect(await rows("SELECT country AS c, count(*) AS cnt FROM events GROUP BY country HAVING c LIKE 'N%'")).toEqual([['NL', 8]]);
    expect(await rows("SELECT country AS c, count(*) FROM events GROUP BY country HAVING c NOT LIKE '%L' AND upper(c) <> 'NULL' ORDER BY c")).toEqual([
      ['DE', 7],
      ['FR', 7],
      ['US', 7],
    ]);
    expect(await rows('SELECT device, max(clicks) AS top FROM events GROUP BY device HAVING top IS NULL')).toEqual([]);
    expect(await rows('SELECT device, max(clicks) AS top FROM events GROUP BY device HAVING top IS NOT NULL AND top > 0 ORDER BY device')).toEqual([
      ['android', 29],
      ['ios', 28],
    ]);
    // A name that is neither a column nor an alias is still an unknown column.
    const unknown = await f.query(`${byCount} HAVING abs(nope) > 1`);
    expect(unknown.exceptions.map((x) => x.errorCode)).toEqual([710]);
  });

  it('groups multi-value columns by each value', async () => {
    expect(await rows('SELECT tags, count(*) FROM events GROUP BY tags ORDER BY tags')).toEqual([
      ['a', 10],
      ['b', 10],
      ['c', 19],
      ['null', 1],
    ]);
  });

  it('answers DISTINCT', async () => {
    expect(await rows('SELECT DISTINCT device FROM events ORDER BY device')).toEqual([['android'], ['ios'], ['null']]);
    expect(await rows('SELECT DISTINCT country, device FROM events ORDER BY country DESC, device LIMIT 3')).toEqual([
      ['null', 'null'],
      ['US', 'ios'],
      ['NL', 'ios'],
    ]);
  });

  it('stops creating groups at numGroupsLimit and says so', async () => {
    const r = await f.query('SET numGroupsLimit = 3; SELECT id, count(*) FROM events GROUP BY id LIMIT 100');
    // Per segment, as in Pinot: each 10-row segment (distinct ids) keeps its first 3 groups.
    expect(r.resultTable!.rows).toHaveLength(3 * Math.ceil(N / 10));
    expect(r.numGroupsLimitReached).toBe(true);
    const ok = await f.query('SELECT id, count(*) FROM events GROUP BY id LIMIT 100', 'numGroupsLimit=30');
    expect(ok.resultTable!.rows).toHaveLength(30);
    expect(ok.numGroupsLimitReached).toBe(false);
  });

  it('filters with BETWEEN (reversed bounds match nothing), IN, LIKE, REGEXP_LIKE, CASE and functions', async () => {
    expect(await rows('SELECT count(*) FROM events WHERE clicks BETWEEN 10 AND 4')).toEqual([[0]]);
    expect(await rows('SELECT count(*) FROM events WHERE clicks BETWEEN 4 AND 10')).toEqual([[6]]);
    expect(await rows("SELECT count(*) FROM events WHERE country LIKE 'N_'")).toEqual([[8]]);
    expect(await rows("SELECT count(*) FROM events WHERE regexp_like(country, '^(N|D)')")).toEqual([[15]]);
    expect(await rows("SELECT count(*) FROM events WHERE upper(device) = 'IOS'")).toEqual([[15]]);
    expect(await rows("SELECT count(*) FROM events WHERE jsonExtractScalar(payload, '$.user.age', 'INT', '0') > 45")).toEqual([[4]]);
    expect(await rows("SELECT CASE WHEN clicks > 20 THEN 'high' WHEN clicks > 10 THEN 'mid' ELSE 'low' END AS b, count(*) FROM events GROUP BY b ORDER BY b")).toEqual([
      ['high', 9],
      ['low', 11],
      ['mid', 10],
    ]);
    expect(await rows('SELECT count(*) FROM events WHERE active = true')).toEqual([[14]]);
    expect(await rows("SELECT count(*) FROM events WHERE startsWith(device, 'i') = 'true'")).toEqual([[15]]);
  });

  it('evaluates scalar functions', async () => {
    const [row] = await rows(
      "SELECT upper(country), substr(device, 1, 3), concat(country, device, '-'), length(device), reverse(country), strpos(device, 'o'), toEpochSeconds(ts), fromEpochDays(1), DATETRUNC('DAY', ts), toDateTime(ts, 'yyyy-MM-dd HH:mm'), div(clicks, 0), mod(clicks, 3), CAST(clicks AS STRING), arrayLength(tags) FROM events WHERE id = 4",
    );
    expect(row).toEqual(['NL', 'os', 'NL-ios', 3, 'LN', 1, 1_700_000_004, 86_400_000, 1_699_920_000_000, '2023-11-14 22:13', 'Infinity', 1, '4', 1]);
  });

  it('prunes sealed segments by min/max and uses inverted indexes', async () => {
    const pruned = await f.query('SELECT count(*) FROM events WHERE clicks > 25');
    expect(pruned.resultTable!.rows).toEqual([[4]]);
    expect(pruned).toMatchObject({ numSegmentsQueried: 3, numSegmentsProcessed: 1, numSegmentsMatched: 1, numDocsScanned: 4 });
    const inverted = await f.query("SELECT count(*) FROM events WHERE country = 'NL'");
    expect(inverted.resultTable!.rows).toEqual([[8]]);
    // The two sealed segments answer from the inverted index; only the consuming one is scanned.
    expect(inverted.numEntriesScannedInFilter).toBe(10);
    const scanned = await f.query("SELECT count(*) FROM events WHERE device = 'ios'");
    expect(scanned.numEntriesScannedInFilter).toBe(30);
    expect(scanned.numEntriesScannedPostFilter).toBe(0);
    expect((await f.query("SELECT clicks, amount FROM events WHERE device = 'ios' LIMIT 100")).numEntriesScannedPostFilter).toBe(30);
  });

  it('resolves table names case-insensitively and with _REALTIME; reports unknown tables with 190', async () => {
    expect((await f.query('SELECT count(*) FROM EVENTS_REALTIME')).resultTable!.rows).toEqual([[N]]);
    const r = await f.query('SELECT count(*) FROM nope');
    expect(r.exceptions).toEqual([{ errorCode: 190, message: 'TableDoesNotExistError:\nTable nope does not exist' }]);
    expect(r.resultTable).toBeUndefined();
  });

  it('reports errors raised on row values as 200', async () => {
    const r = await f.query("SELECT jsonExtractScalar(payload, '$.missing', 'INT') FROM events");
    expect(r.exceptions[0]!.errorCode).toBe(200);
    expect(r.exceptions[0]!.message).toContain('Illegal Json Path');
  });
});

describe('null handling on', () => {
  let f: QueryFixture;
  beforeAll(async () => {
    f = await buildFixture(EVENTS_SCHEMA, eventRows(12), { segmentRows: 6, indexing: { nullHandlingEnabled: true } });
  });
  afterAll(() => f.cleanup());

  it('answers IS NULL and IS NOT NULL from null bitmaps of sealed and consuming segments', async () => {
    expect((await f.query('SELECT id FROM events WHERE country IS NULL')).resultTable!.rows).toEqual([[5]]);
    expect((await f.query('SELECT count(*) FROM events WHERE country IS NOT NULL')).resultTable!.rows).toEqual([[11]]);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { withDuckTable } from './duck-table.js';

/**
 * Functions of Pinot's function list added for issue 15 (item 6, "every function Pinot's docs
 * list"): typed array functions, hashes and encodings, DISTINCTSUM / DISTINCTAVG — on two sealed
 * segments and a consuming one, against DuckDB or a reference computed here.
 */
const SCHEMA: PinotSchema = {
  schemaName: 'fl',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'word', dataType: 'STRING' },
    { name: 'raw', dataType: 'BYTES' },
    { name: 'nums', dataType: 'INT', singleValueField: false },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
  ],
  metricFieldSpecs: [{ name: 'clicks', dataType: 'INT' }],
};
const WORDS = ['alpha', 'béta', 'gamma', '', 'δέλτα'];
const ROWS = Array.from({ length: 30 }, (_, i) => ({
  id: i,
  word: WORDS[i % 5]!,
  raw: Uint8Array.from([i, 255 - i, i * 7 % 256]),
  nums: [i % 4, (i * 3) % 5, i % 4],
  tags: i % 2 === 0 ? ['b', 'a', 'b'] : ['c'],
  clicks: (i * i) % 6,
}));

const fx = withDuckTable({
  schema: SCHEMA,
  cells: ROWS.map((r) => [BigInt(r.id), r.word, r.raw, r.nums, r.tags, r.clicks]),
  segmentRows: 11,
  duckSql: [
    'CREATE TABLE fl (id BIGINT, clicks INTEGER)',
    `INSERT INTO fl VALUES ${ROWS.map((r) => `(${r.id}, ${r.clicks})`).join(', ')}`,
  ],
});
const rows = fx.ours;

const distinct = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

describe("Pinot's function list: typed array functions", () => {
  it('reverse, sort, distinct, indexOf, contains, remove, slice, union, concat, elementAt', async () => {
    const got = await rows(
      'SELECT id, arrayReverseInt(nums), arraySortInt(nums), arrayDistinctInt(nums), arrayIndexOfInt(nums, 2), arrayContainsInt(nums, 3), arrayRemoveInt(nums, 0), ' +
        'arraySliceInt(nums, 1, 3), arrayUnionString(tags, tags), arrayConcatLong(nums, nums), arrayElementAtInt(nums, 2), arrayElementAtString(tags, 9), ' +
        "arraySortString(tags), arrayDistinctString(tags), arrayContainsString(tags, 'a'), arrayIndexOfString(tags, 'c'), arrayReverseString(tags) FROM fl ORDER BY id LIMIT 100",
    );
    expect(got.types).toEqual(['LONG', 'INT_ARRAY', 'INT_ARRAY', 'INT_ARRAY', 'INT', 'BOOLEAN', 'INT_ARRAY', 'INT_ARRAY', 'STRING_ARRAY', 'LONG_ARRAY', 'INT', 'STRING', 'STRING_ARRAY', 'STRING_ARRAY', 'BOOLEAN', 'INT', 'STRING_ARRAY']);
    const removeFirst = (xs: number[], x: number): number[] => {
      const i = xs.indexOf(x);
      return i < 0 ? xs : [...xs.slice(0, i), ...xs.slice(i + 1)];
    };
    expect(got.rows).toEqual(
      ROWS.map((r) => [
        r.id,
        [...r.nums].reverse(),
        [...r.nums].sort((a, b) => a - b),
        distinct(r.nums),
        r.nums.indexOf(2),
        r.nums.includes(3),
        removeFirst(r.nums, 0),
        r.nums.slice(1, 3),
        distinct(r.tags),
        [...r.nums, ...r.nums],
        r.nums[1],
        '',
        [...r.tags].sort(),
        distinct(r.tags),
        r.tags.includes('a'),
        r.tags.indexOf('c'),
        [...r.tags].reverse(),
      ]),
    );
  });

  it('a slice past the end pads as Java does; a bad start is a 200', async () => {
    expect((await rows('SELECT arraySliceInt(nums, 2, 5) FROM fl WHERE id = 1')).rows).toEqual([[[1, 0, 0]]]); // nums of row 1: [1, 3, 1]
    const bad = await fx.query('SELECT arraySliceInt(nums, 7, 9) FROM fl');
    expect(bad.exceptions[0]!.errorCode).toBe(200);
  });
});

describe("Pinot's function list: hashes and encodings", () => {
  it('sha, sha256, sha512, md5 of BYTES as hex; toBase64 / fromBase64; toUtf8 / fromUtf8; chr; remove', async () => {
    const got = await rows("SELECT id, sha(raw), sha256(raw), sha512(raw), md5(raw), toBase64(raw), fromBase64(toBase64(raw)), toUtf8(word), fromUtf8(toUtf8(word)), chr(948), remove(word, 'a') FROM fl ORDER BY id LIMIT 100");
    expect(got.types).toEqual(['LONG', 'STRING', 'STRING', 'STRING', 'STRING', 'STRING', 'BYTES', 'BYTES', 'STRING', 'STRING', 'STRING']);
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    const h = (alg: string, b: Uint8Array): string => createHash(alg).update(b).digest('hex');
    expect(got.rows).toEqual(
      ROWS.map((r) => [
        r.id,
        h('sha1', r.raw),
        h('sha256', r.raw),
        h('sha512', r.raw),
        h('md5', r.raw),
        Buffer.from(r.raw).toString('base64'),
        hex(r.raw),
        Buffer.from(r.word, 'utf8').toString('hex'),
        r.word,
        'δ',
        r.word.replaceAll('a', ''),
      ]),
    );
    expect((await fx.query("SELECT fromBase64('not base64!') FROM fl")).exceptions[0]!.errorCode).toBe(200);
  });
});

describe("Pinot's function list: DISTINCTSUM / DISTINCTAVG", () => {
  it('sum and average of the distinct values, DOUBLE, grouped and not, with MV forms', async () => {
    const got = await rows('SELECT id % 3, distinctSum(clicks), distinctAvg(clicks), distinctSumMV(nums), distinctAvgMV(nums) FROM fl GROUP BY id % 3 ORDER BY id % 3 LIMIT 10');
    expect(got.types).toEqual(['DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE']);
    const ref = await fx.reference('SELECT (id % 3)::DOUBLE, sum(DISTINCT clicks)::DOUBLE, avg(DISTINCT clicks) FROM fl GROUP BY id % 3 ORDER BY id % 3');
    const mvRef = [0, 1, 2].map((g) => {
      const values = distinct(ROWS.filter((r) => r.id % 3 === g).flatMap((r) => r.nums));
      const sum = values.reduce((t, x) => t + x, 0);
      return [sum, sum / values.length];
    });
    expect(got.rows).toEqual(ref.map((r, i) => [...r, ...mvRef[i]!]));
    const empty = await rows('SELECT distinctSum(clicks), distinctAvg(clicks) FROM fl WHERE id < 0');
    expect(empty.rows).toEqual([[0, 'NaN']]);
  });
});

describe("Pinot's function list: weeks, zone offsets, TIMECONVERT, more distinct counts", () => {
  // Row i at 1.6e12 + i × 9.7 days: crosses year ends, where ISO week-years differ from years.
  const TS = '(1600000000000 + id * 838080000)';

  it('week / yearOfWeek are ISO-8601 (DuckDB weekofyear / isoyear), also in a time zone', async () => {
    const got = await rows(`SELECT id, week(${TS}), weekOfYear(${TS}), yearOfWeek(${TS}), yow(${TS}, 'Pacific/Kiritimati') FROM fl ORDER BY id LIMIT 100`);
    expect(got.types).toEqual(['LONG', 'INT', 'INT', 'INT', 'INT']);
    const ref = await fx.reference(
      `SELECT id, weekofyear(epoch_ms(${TS})), weekofyear(epoch_ms(${TS})), isoyear(epoch_ms(${TS})), isoyear(epoch_ms(${TS}) + INTERVAL 14 HOUR) FROM fl ORDER BY id`,
    );
    expect(got.rows).toEqual(ref);
  });

  it('timezoneHour / timezoneMinute give the zone offset at an instant (daylight saving included)', async () => {
    const got = await rows("SELECT timezoneHour('Asia/Kolkata', 0), timezoneMinute('Asia/Kolkata', 0), timezoneHour('America/Los_Angeles', 1690000000000), timezoneHour('America/Los_Angeles', 1700000000000), timezoneMinute('UTC') FROM fl LIMIT 1");
    expect(got.rows).toEqual([[5, 30, -7, -8, 0]]);
  });

  it("TIMECONVERT(value, 'FROM', 'TO') truncates as Java's TimeUnit.convert", async () => {
    const got = await rows("SELECT id, timeConvert(id * 100000 - 1500000, 'MILLISECONDS', 'MINUTES'), timeConvert(id, 'DAYS', 'SECONDS') FROM fl ORDER BY id LIMIT 100");
    expect(got.types).toEqual(['LONG', 'LONG', 'LONG']);
    expect(got.rows).toEqual(ROWS.map((r) => [r.id, Math.trunc((r.id * 100000 - 1500000) / 60000), r.id * 86400]));
    expect((await fx.query("SELECT timeConvert(id, 'WEEKS', 'DAYS') FROM fl")).exceptions[0]!.message).toContain('input unit (argument 2)');
  });

  it('DISTINCTCOUNTHLLPLUS, DISTINCTCOUNTULL, DISTINCTCOUNTCPCSKETCH, SEGMENTPARTITIONEDDISTINCTCOUNT count exactly (LONG)', async () => {
    const got = await rows('SELECT distinctCountHLLPlus(clicks), distinctCountULL(clicks), distinctCountCPCSketch(clicks), segmentPartitionedDistinctCount(clicks) FROM fl');
    expect(got.types).toEqual(['LONG', 'LONG', 'LONG', 'LONG']);
    const n = new Set(ROWS.map((r) => r.clicks)).size;
    expect(got.rows).toEqual([[n, n, n, n]]);
  });
});

describe("Pinot's function list: COVAR_POP / COVAR_SAMP", () => {
  it('population and sample covariance of two expressions (DuckDB covar_pop / covar_samp), -Infinity without rows', async () => {
    const got = await rows('SELECT id % 3, covar_pop(clicks, id), covarSamp(clicks, id * 2.5) FROM fl GROUP BY id % 3 ORDER BY id % 3 LIMIT 10');
    expect(got.types).toEqual(['DOUBLE', 'DOUBLE', 'DOUBLE']);
    const ref = await fx.reference('SELECT (id % 3)::DOUBLE, covar_pop(clicks, id), covar_samp(clicks, id * 2.5) FROM fl GROUP BY id % 3 ORDER BY id % 3');
    expect(got.rows.length).toBe(3);
    got.rows.forEach((r, i) => {
      expect(r[0]).toBe(ref[i]![0]);
      expect(r[1] as number).toBeCloseTo(ref[i]![1] as number, 9);
      expect(r[2] as number).toBeCloseTo(ref[i]![2] as number, 9);
    });
    expect((await rows('SELECT covar_pop(clicks, id), covar_samp(clicks, id) FROM fl WHERE id = 3')).rows).toEqual([[0, '-Infinity']]);
    expect((await fx.query("SELECT covar_pop(clicks, word) FROM fl")).exceptions[0]!.message).toContain('argument 2 (word) must be a single-value number');
  });
});

describe("Pinot's function list: URLs, subnets, JSON text; window functions", () => {
  it("encodeUrl / decodeUrl as Java's URLEncoder / URLDecoder (Pinot's docs example)", async () => {
    const got = await rows("SELECT encodeUrl('key1=val1 key2=45% key3=#47'), decodeUrl('https://www.google.com/search?q=key1%3Dval1+key2%3D45%25+key3%3D%2347'), encodeUrl('a*b~c!(é)'), decodeUrl(encodeUrl(word)) = word FROM fl LIMIT 1");
    expect(got.rows).toEqual([['key1%3Dval1+key2%3D45%25+key3%3D%2347', 'https://www.google.com/search?q=key1=val1 key2=45% key3=#47', 'a*b%7Ec%21%28%C3%A9%29', true]]);
    expect((await fx.query("SELECT decodeUrl('%E0%A4%A') FROM fl")).exceptions[0]!.errorCode).toBe(200);
  });

  it("isSubnetOf(prefix, address) for IPv4 and IPv6 (Pinot's docs examples)", async () => {
    const got = await rows("SELECT isSubnetOf('192.168.0.1/24', '192.168.0.225'), isSubnetOf('1.2.3.128/26', '1.2.5.1'), isSubnetOf('2001:4800:7825:103::/64', '2001:4800:7825:103::2050'), isSubnetOf('10.0.0.0/8', '::1') FROM fl LIMIT 1");
    expect(got.rows).toEqual([[true, false, true, false]]);
    expect((await fx.query("SELECT isSubnetOf('10.0.0.0', '10.0.0.1') FROM fl")).exceptions[0]!.message).toContain("'10.0.0.0' is not an IP prefix");
  });

  it('jsonFormat writes JSON text: objects compact, other values as JSON values', async () => {
    const got = await rows(`SELECT jsonFormat('{"age": 12, "a": [1, 2]}'), jsonFormat('abc'), toJsonMapStr('{"k":"v"}'), jsonFormat(id) FROM fl WHERE id = 7`);
    expect(got.rows).toEqual([['{"age":12,"a":[1,2]}', '"abc"', '{"k":"v"}', '7']]);
  });

  it('a window function is the multi-stage error (450, or 720 with the option), not a syntax error', async () => {
    expect((await fx.query('SELECT id, lag(id) OVER (ORDER BY id) FROM fl')).exceptions[0]!.errorCode).toBe(450);
    const r = await fx.query('SET useMultistageEngine=true; SELECT id, row_number() OVER (ORDER BY id) FROM fl');
    expect(r.exceptions[0]!.errorCode).toBe(720);
    expect(r.exceptions[0]!.message).toContain('a window function (row_number(…) OVER …)');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { parseDateTimeFormat, parseGranularity } from '../../../../src/query/functions/datetime-convert.js';
import { buildFixture } from '../query-fixtures.js';
import type { QueryFixture } from '../query-fixtures.js';

/** DATETIMECONVERT on real segments (two sealed, one consuming) against a reference computed here with Date / Intl. */
const SCHEMA: PinotSchema = {
  schemaName: 'dtc',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'day', dataType: 'STRING' },
    { name: 'secs', dataType: 'LONG' },
  ],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:TIMESTAMP', granularity: '1:MILLISECONDS' }],
};
const N = 45;
/** 37 h 23 min 7.5 s apart from 2023-10-30: crosses the 2023-11-05 DST change in Los Angeles. */
const tsOf = (i: number): number => 1_698_650_000_000 + i * (37 * 3_600_000 + 23 * 60_000 + 7_500);
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const ymd = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
};
const ymdhm = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
};
const laHour = (ms: number): string => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}`;
};

let fx: QueryFixture;
beforeAll(async () => {
  const rows = Array.from({ length: N }, (_, i) => [BigInt(i), ymd(tsOf(i)), BigInt(Math.floor(tsOf(i) / 1000)), BigInt(tsOf(i))]);
  fx = await buildFixture(SCHEMA, rows, { segmentRows: 15 });
  expect(fx.sealed).toHaveLength(2);
});
afterAll(async () => fx.cleanup());

async function column(expr: string): Promise<{ type: string; values: unknown[] }> {
  const r = await fx.query(`SELECT id, ${expr} FROM dtc ORDER BY id LIMIT 1000`);
  expect(r.exceptions).toEqual([]);
  return { type: r.resultTable!.dataSchema.columnDataTypes[1]!, values: r.resultTable!.rows.map((x) => x[1]) };
}

const ids = Array.from({ length: N }, (_, i) => i);

describe('DATETIMECONVERT', () => {
  it('epoch millis to epoch hours, 15-minute buckets in millis, and the pipe spelling', async () => {
    expect(await column("DATETIMECONVERT(ts, '1:MILLISECONDS:EPOCH', '1:HOURS:EPOCH', '1:HOURS')")).toEqual({ type: 'LONG', values: ids.map((i) => Math.floor(tsOf(i) / 3_600_000)) });
    const q = ids.map((i) => Math.floor(tsOf(i) / 900_000) * 900_000);
    expect(await column("DATETIMECONVERT(ts, '1:MILLISECONDS:EPOCH', '1:MILLISECONDS:EPOCH', '15:MINUTES')")).toEqual({ type: 'LONG', values: q });
    expect(await column("DATETIMECONVERT(ts, 'EPOCH|MILLISECONDS|1', 'EPOCH|MILLISECONDS', 'MINUTES|15')")).toEqual({ type: 'LONG', values: q });
    // 5-minute epoch units: the output counts 5-minute steps.
    expect(await column("DATETIMECONVERT(ts, '1:MILLISECONDS:EPOCH', '5:MINUTES:EPOCH', '1:HOURS')")).toEqual({ type: 'LONG', values: ids.map((i) => Math.floor(tsOf(i) / 3_600_000) * 12) });
  });

  it('epoch seconds and yyyyMMdd strings in, dates and LA hours out', async () => {
    expect(await column("DATETIMECONVERT(secs, '1:SECONDS:EPOCH', '1:DAYS:SIMPLE_DATE_FORMAT:yyyyMMdd', '1:DAYS')")).toEqual({ type: 'STRING', values: ids.map((i) => ymd(tsOf(i))) });
    expect(await column("DATETIMECONVERT(day, '1:DAYS:SIMPLE_DATE_FORMAT:yyyyMMdd', '1:MILLISECONDS:EPOCH', '1:MILLISECONDS')")).toEqual({
      type: 'LONG',
      values: ids.map((i) => Math.floor(tsOf(i) / 86_400_000) * 86_400_000),
    });
    expect(await column("DATETIMECONVERT(ts, '1:MILLISECONDS:TIMESTAMP', '1:MINUTES:SIMPLE_DATE_FORMAT:yyyy-MM-dd HH:mm', '30:MINUTES')")).toEqual({
      type: 'STRING',
      values: ids.map((i) => ymdhm(Math.floor(tsOf(i) / 1_800_000) * 1_800_000)),
    });
    expect(await column("DATETIMECONVERT(ts, 'TIMESTAMP', 'SIMPLE_DATE_FORMAT|yyyy-MM-dd HH|America/Los_Angeles', '1:HOURS')")).toEqual({ type: 'STRING', values: ids.map((i) => laHour(tsOf(i))) });
    expect(await column("DATETIMECONVERT(ts, '1:MILLISECONDS:EPOCH', '1:HOURS:SIMPLE_DATE_FORMAT:yyyy-MM-dd HH tz(America/Los_Angeles)', '1:HOURS')")).toEqual({
      type: 'STRING',
      values: ids.map((i) => laHour(tsOf(i))),
    });
  });

  it('groups by the converted value', async () => {
    const r = await fx.query("SELECT DATETIMECONVERT(ts, '1:MILLISECONDS:EPOCH', '1:DAYS:SIMPLE_DATE_FORMAT:yyyyMMdd', '1:DAYS') AS d, count(*) FROM dtc GROUP BY d ORDER BY d LIMIT 1000");
    const expected = new Map<string, number>();
    for (const i of ids) expected.set(ymd(tsOf(i)), (expected.get(ymd(tsOf(i))) ?? 0) + 1);
    expect(r.resultTable!.rows).toEqual([...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([d, n]) => [d, n]));
  });

  it('parses both spellings and refuses bad formats with a 200 naming the part', async () => {
    expect(parseDateTimeFormat('1:DAYS:SIMPLE_DATE_FORMAT:yyyy-MM-dd HH:mm:ss tz(Europe/Amsterdam)')).toEqual({ kind: 'sdf', pattern: 'yyyy-MM-dd HH:mm:ss', zone: 'Europe/Amsterdam' });
    expect(parseDateTimeFormat('EPOCH|SECONDS|10')).toEqual({ kind: 'epoch', unitMillis: 10_000n });
    expect(parseGranularity('HOURS|2')).toBe(7_200_000n);
    for (const [fmt, word] of [
      ['1:FORTNIGHTS:EPOCH', 'FORTNIGHTS'],
      ['0:HOURS:EPOCH', "'0'"],
      ['1:HOURS:JULIAN', 'JULIAN'],
      ['SIMPLE_DATE_FORMAT|yyyyMMdd|Mars/Olympus', 'Mars/Olympus'],
    ]) {
      const r = await fx.query(`SELECT DATETIMECONVERT(ts, '${fmt}', '1:HOURS:EPOCH', '1:HOURS') FROM dtc`);
      expect(r.exceptions[0]?.errorCode, fmt).toBe(200);
      expect(r.exceptions[0]!.message).toContain(word);
    }
  });
});

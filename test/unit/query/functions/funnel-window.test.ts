import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../../src/config/data-type.js';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { buildFixture } from '../query-fixtures.js';
import type { QueryFixture } from '../query-fixtures.js';

/**
 * FUNNEL_MAX_STEP, FUNNEL_MATCH_STEP and FUNNEL_COMPLETE_COUNT (issue 15) on hand-built event
 * paths whose answers follow from Pinot's window rules (a window opens at a step-1 event and
 * holds the events less than windowSize after it), spread over sealed and consuming segments so
 * that states merge. DuckDB has no window funnel, so the answers are worked out here.
 */
const SCHEMA: PinotSchema = {
  schemaName: 'fw',
  dimensionFieldSpecs: [
    { name: 'usr', dataType: 'STRING' },
    { name: 'url', dataType: 'STRING' },
  ],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
};

/** Per user, the events `url@ts`. */
const PATHS: Record<string, string> = {
  a: 'A@1000 B@2000 C@5000',
  b: 'A@1000 B@2000 D@3000 C@4000',
  c: 'A@1 B@2 B@3 C@4',
  d: 'C@1 B@1 A@1',
  e: 'A@1 B@2 C@3 A@4 B@5 C@6',
  f: 'B@1 C@2',
  g: 'A@0 B@100 C@1000',
  h: 'B@0 A@10 C@20 B@30 A@40',
};

let fx: QueryFixture;

beforeAll(async () => {
  const cells: (CellValue | null)[][] = [];
  for (const [usr, path] of Object.entries(PATHS)) {
    for (const ev of path.split(' ')) {
      const [url, ts] = ev.split('@') as [string, string];
      cells.push([usr, url, BigInt(ts)]);
    }
  }
  // Interleave users so every user's events span segments.
  cells.sort((x, y) => Number(x[2]) - Number(y[2]));
  fx = await buildFixture(SCHEMA, cells, { segmentRows: 6 });
});

afterAll(async () => fx.cleanup());

const STEPS = "url = 'A', url = 'B', url = 'C'";

async function perUser(select: string): Promise<{ types: string[]; byUser: Record<string, unknown> }> {
  const r = await fx.query(`SELECT usr, ${select} FROM fw GROUP BY usr ORDER BY usr LIMIT 100`);
  expect(r.exceptions).toEqual([]);
  return { types: r.resultTable!.dataSchema.columnDataTypes, byUser: Object.fromEntries(r.resultTable!.rows.map((row) => [row[0], row[1]])) };
}

describe('window funnels', () => {
  it('spans sealed and consuming segments', async () => {
    const r = await fx.query('SELECT count(*) FROM fw');
    expect(r.numConsumingSegmentsQueried).toBe(1);
    expect(r.numSegmentsQueried).toBeGreaterThan(3);
  });

  it('FUNNEL_MAX_STEP: the deepest step reached inside one window, as INT', async () => {
    const wide = await perUser(`FUNNEL_MAX_STEP(ts, 10000, 3, ${STEPS})`);
    expect(wide.types).toEqual(['STRING', 'INT']);
    expect(wide.byUser).toEqual({ a: 3, b: 3, c: 3, d: 3, e: 3, f: 0, g: 3, h: 2 });
    // A 3000 ms window (from 1000, ending before 4000) closes before the C of a (5000) and of b (4000).
    expect((await perUser(`funnelMaxStep(ts, 3000, 3, ${STEPS})`)).byUser).toMatchObject({ a: 2, b: 2, e: 3 });
  });

  it('modes: STRICT_ORDER (with KEEP_ALL other events interrupt), STRICT_DEDUPLICATION, STRICT_INCREASE, maxStepDuration', async () => {
    expect((await perUser(`FUNNEL_MAX_STEP(ts, 10000, 3, ${STEPS}, 'STRICT_ORDER')`)).byUser).toMatchObject({ b: 3, c: 2 });
    expect((await perUser(`FUNNEL_MAX_STEP(ts, 10000, 3, ${STEPS}, 'STRICT_ORDER', 'KEEP_ALL')`)).byUser).toMatchObject({ b: 2, a: 3 });
    expect((await perUser(`FUNNEL_MAX_STEP(ts, 10000, 3, ${STEPS}, 'mode=STRICT_ORDER,KEEP_ALL')`)).byUser).toMatchObject({ b: 2 });
    expect((await perUser(`FUNNEL_MAX_STEP(ts, 10000, 3, ${STEPS}, 'STRICT_DEDUPLICATION')`)).byUser).toMatchObject({ c: 2, a: 3 });
    expect((await perUser(`FUNNEL_MAX_STEP(ts, 10000, 3, ${STEPS}, 'STRICT_INCREASE')`)).byUser).toMatchObject({ d: 1, a: 3 });
    expect((await perUser(`FUNNEL_MAX_STEP(ts, 10000, 3, ${STEPS}, 'maxStepDuration=500')`)).byUser).toMatchObject({ g: 2, a: 1, e: 3 });
  });

  it('FUNNEL_MATCH_STEP: the deepest step as 0/1 flags per step, as INT_ARRAY', async () => {
    const got = await perUser(`FUNNEL_MATCH_STEP(ts, 10000, 3, ${STEPS})`);
    expect(got.types).toEqual(['STRING', 'INT_ARRAY']);
    expect(got.byUser).toMatchObject({ a: [1, 1, 1], f: [0, 0, 0], h: [1, 1, 0] });
  });

  it('FUNNEL_COMPLETE_COUNT: how many times the funnel completes, as INT', async () => {
    const got = await perUser(`FUNNEL_COMPLETE_COUNT(ts, 10000, 3, ${STEPS})`);
    expect(got.types).toEqual(['STRING', 'INT']);
    expect(got.byUser).toEqual({ a: 1, b: 1, c: 1, d: 1, e: 2, f: 0, g: 1, h: 0 });
    const r = await fx.query(`SELECT FUNNEL_COMPLETE_COUNT(ts, 10000, 3, ${STEPS}), FUNNEL_MAX_STEP(ts, 10000, 3, ${STEPS}) FROM fw WHERE usr = 'zz'`);
    expect(r.resultTable!.rows).toEqual([[0, 0]]);
  });

  it('refuses bad arguments naming them', async () => {
    for (const [sql, text] of [
      [`SELECT FUNNEL_MAX_STEP(ts, 10, 3) FROM fw`, 'expects at least 4 argument(s)'],
      [`SELECT FUNNEL_MAX_STEP(ts, 0, 1, url = 'A') FROM fw`, 'window size (argument 2) must be a positive integer'],
      [`SELECT FUNNEL_MAX_STEP(ts, 10, 3, url = 'A') FROM fw`, 'expects at least 6 argument(s) for 3 steps'],
      [`SELECT FUNNEL_MAX_STEP(usr, 10, 1, url = 'A') FROM fw`, 'the timestamp (argument 1, usr) must be a number'],
      [`SELECT FUNNEL_MAX_STEP(ts, 10, 1, url = 'A', 'FAST') FROM fw`, "unrecognized extra argument 'FAST'"],
      [`SELECT FUNNEL_MATCH_STEP(ts, 10, 1, url) FROM fw`, 'step 1 (url) must be a boolean expression'],
    ] as const) {
      const r = await fx.query(sql);
      expect(r.exceptions[0]?.errorCode, sql).toBe(200);
      expect(r.exceptions[0]!.message, sql).toContain(text);
    }
  });
});

import { basename, dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSegments } from '../../../src/cli/segments.js';
import { buildFixture, EVENTS_SCHEMA, eventRows } from '../query/query-fixtures.js';
import type { QueryFixture } from '../query/query-fixtures.js';

function capture(): { io: { out: (t: string) => void; err: (t: string) => void }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => (out += t), err: (t) => (err += t) }, out: () => out, err: () => err };
}

describe('shardtable segments', () => {
  let fixture: QueryFixture;
  let dataDir: string;
  let table: string;
  beforeAll(async () => {
    fixture = await buildFixture(EVENTS_SCHEMA, eventRows(90), { segmentRows: 30 });
    const tableDir = dirname(fixture.sealed[0]!.path);
    dataDir = dirname(tableDir);
    table = basename(tableDir);
  });
  afterAll(async () => fixture.cleanup());

  it('lists the sealed segments of a data dir with rows, bytes and time range, then totals', async () => {
    const c = capture();
    expect(await runSegments({ table, dataDir, server: 'unused', json: false, timeoutMs: 1000 }, c.io)).toBe(0);
    const lines = c.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^segment\s+partition\s+rows\s+bytes\s+startTime\s+endTime$/);
    expect(lines.slice(3, 5).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['events__0__0__20240101T0000Z', '0', '30'],
      ['events__0__1__20240101T0000Z', '0', '30'],
    ]);
    expect(lines[3]).toMatch(/null\s+null$/); // this table has no time column
    const bytes = fixture.sealed.reduce((n, s) => n + s.metadata.sizeBytes, 0);
    expect(lines.at(-1)).toBe(`(2 segments, 60 rows, ${bytes} bytes)`);
  });

  it('prints JSON summaries with --json', async () => {
    const c = capture();
    expect(await runSegments({ table, dataDir, server: 'unused', json: true, timeoutMs: 1000 }, c.io)).toBe(0);
    const parsed = JSON.parse(c.out()) as { segmentName: string; numDocs: number; sizeBytes: number; startTimeMs: number; endTimeMs: number }[];
    expect(parsed.map((s) => [s.segmentName, s.numDocs])).toEqual([['events__0__0__20240101T0000Z', 30], ['events__0__1__20240101T0000Z', 30]]);
    expect(parsed[0]!.sizeBytes).toBe(fixture.sealed[0]!.metadata.sizeBytes);
  });

  it('fails clearly for a missing table folder and an unreachable server', async () => {
    const a = capture();
    expect(await runSegments({ table: 'nope', dataDir, server: 'unused', json: false, timeoutMs: 1000 }, a.io)).toBe(1);
    expect(a.err()).toMatch(/^error: cannot list .*nope/);
    const b = capture();
    expect(await runSegments({ table, server: 'http://127.0.0.1:9', json: false, timeoutMs: 2000 }, b.io)).toBe(3);
    expect(b.err()).toMatch(/cannot reach a shardtable server at http:\/\/127.0.0.1:9/);
  });
});

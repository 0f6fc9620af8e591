import { describe, expect, it } from 'vitest';
import { llcSegmentName, parseLlcSegmentName } from '../../../src/segment/index.js';

describe('LLC segment names', () => {
  it('formats <table>__<partition>__<sequence>__<yyyyMMddTHHmmZ> in UTC', () => {
    expect(llcSegmentName('events', 3, 12, new Date(Date.UTC(2024, 0, 2, 3, 4, 59)))).toBe('events__3__12__20240102T0304Z');
    expect(llcSegmentName('a', 0, 0, 0)).toBe('a__0__0__19700101T0000Z');
  });

  it('parses what it formats, including table names containing __', () => {
    const name = llcSegmentName('my__table', 2 ** 40, 7, Date.UTC(2031, 11, 31, 23, 59));
    expect(parseLlcSegmentName(name)).toEqual({ tableName: 'my__table', partitionId: 2 ** 40, sequence: 7, creationTimeMs: Date.UTC(2031, 11, 31, 23, 59) });
  });

  it('rejects non-LLC names and invalid arguments', () => {
    for (const bad of ['events', 'events__1__2', 'events__x__2__20240101T0000Z', 'events__1__2__20241301T0000Z', 'events__1__2__20240101T0000']) {
      expect(parseLlcSegmentName(bad)).toBeNull();
    }
    expect(() => llcSegmentName('t', -1, 0, 0)).toThrow(RangeError);
    expect(() => llcSegmentName('t', 0, 1.5, 0)).toThrow(RangeError);
  });
});

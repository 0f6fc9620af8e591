import { describe, expect, it } from 'vitest';
import { defaultPauseComment, javaTimestamp, pauseStateFromFile, pauseStateNow } from '../../../src/table/pause-state.js';

describe('pause state (Pinot PauseState)', () => {
  it('prints times as java.sql.Timestamp#toString does in UTC: trailing zeros of the fraction dropped, at least one digit', () => {
    expect(javaTimestamp(Date.UTC(2024, 4, 1, 10, 20, 30, 500))).toBe('2024-05-01 10:20:30.5');
    expect(javaTimestamp(Date.UTC(2024, 4, 1, 10, 20, 30, 0))).toBe('2024-05-01 10:20:30.0');
    expect(javaTimestamp(Date.UTC(2024, 11, 31, 23, 59, 59, 123))).toBe('2024-12-31 23:59:59.123');
    expect(javaTimestamp(Date.UTC(2024, 0, 2, 3, 4, 5, 60))).toBe('2024-01-02 03:04:05.06');
  });

  it('reads pause flag files, including the older {paused, sinceMs} ones', () => {
    expect(pauseStateFromFile({ paused: true, sinceMs: Date.UTC(2024, 0, 1), reasonCode: 'ADMINISTRATIVE', comment: 'x', timestamp: 't' })).toEqual({
      paused: true,
      reasonCode: 'ADMINISTRATIVE',
      comment: 'x',
      timestamp: 't',
    });
    expect(pauseStateFromFile({ paused: true, sinceMs: Date.UTC(2024, 0, 1) })).toEqual({ paused: true, reasonCode: 'ADMINISTRATIVE', comment: null, timestamp: '2024-01-01 00:00:00.0' });
    expect(pauseStateFromFile(null)).toEqual({ paused: true, reasonCode: 'ADMINISTRATIVE', comment: null, timestamp: '' });
  });

  it('makes states now and has Pinot\'s default comments', () => {
    expect(pauseStateNow(false, 'c', Date.UTC(2024, 0, 1))).toEqual({ paused: false, reasonCode: 'ADMINISTRATIVE', comment: 'c', timestamp: '2024-01-01 00:00:00.0' });
    expect(defaultPauseComment(true)).toBe('Table is paused.');
    expect(defaultPauseComment(false)).toBe('Table is unpaused.');
  });
});

import { describe, expect, it } from 'vitest';
import { ShardtableError } from '../../../src/errors.js';
import type { RewindTarget, TableRuntime } from '../../../src/ingest/table-runtime.js';
import { consumeFromTarget, parseRewindTarget, rewindTable } from '../../../src/table/table-rewind-op.js';
import type { TableEntry } from '../../../src/table/table-entry.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');

function entry(config: Record<string, unknown>): TableEntry {
  return { table: { config: { tableName: 'events', streams: [{ streamType: 'kinesis' }], ...config } }, schemaName: 'events', runtime: null, startError: null, paused: false, disabled: false } as unknown as TableEntry;
}

function runtime(): { runtime: TableRuntime; calls: RewindTarget[] } {
  const calls: RewindTarget[] = [];
  const rt = { rewind: async (target: RewindTarget) => (calls.push(target), { target: 'x', partitions: [] }) } as unknown as TableRuntime;
  return { runtime: rt, calls };
}

describe('rewind targets', () => {
  it('reads TRIM_HORIZON, epoch millis and ISO-8601 with a zone', () => {
    expect(parseRewindTarget('TRIM_HORIZON', NOW)).toEqual({ kind: 'trimHorizon' });
    expect(parseRewindTarget('trim_horizon', NOW)).toEqual({ kind: 'trimHorizon' });
    expect(parseRewindTarget('1767225600000', NOW)).toEqual({ kind: 'timestamp', ms: 1767225600000 });
    expect(parseRewindTarget('2026-01-01T00:00:00Z', NOW)).toEqual({ kind: 'timestamp', ms: Date.parse('2026-01-01T00:00:00Z') });
    expect(parseRewindTarget('2026-01-01T01:00:00.250+01:00', NOW)).toEqual({ kind: 'timestamp', ms: Date.parse('2026-01-01T00:00:00.250Z') });
  });

  it('refuses anything else with the field and value, and a future time with both clocks', () => {
    for (const to of [undefined, '', 'LATEST', 'now', '2026-01-01', '2026-01-01T00:00:00', '1e12', '99999999999999999']) {
      expect(() => parseRewindTarget(to, NOW), String(to)).toThrow(`rewind target to=${JSON.stringify(to ?? null)} is not valid`);
    }
    expect(() => parseRewindTarget(String(NOW + 1), NOW)).toThrow(`rewind target 2026-06-01T12:00:00.001Z (${NOW + 1}) is in the future (the server's clock says 2026-06-01T12:00:00.000Z)`);
  });

  it("maps Pinot's consumeFrom: smallest = TRIM_HORIZON, largest = from now; others refused", () => {
    expect(consumeFromTarget('smallest', NOW)).toEqual({ kind: 'trimHorizon' });
    expect(consumeFromTarget('largest', NOW)).toEqual({ kind: 'latest', ms: NOW });
    for (const value of ['', 'earliest', 'LARGEST', 'best']) {
      const error = (() => { try { consumeFromTarget(value, NOW); } catch (e) { return e; } return null; })();
      expect(error).toBeInstanceOf(ShardtableError);
      expect((error as ShardtableError).message).toBe(`consumeFrom must be smallest or largest, got ${JSON.stringify(value)}`);
    }
  });
});

describe('rewindTable', () => {
  it('refuses upsert, dedup and dimension tables, and a time on a DynamoDB stream, before touching the runtime', async () => {
    const cases: [Record<string, unknown>, RewindTarget, string][] = [
      [{ upsert: { mode: 'FULL' } }, { kind: 'trimHorizon' }, 'table events cannot be rewound: it is an upsert table'],
      [{ dedup: {} }, { kind: 'timestamp', ms: 1 }, 'table events cannot be rewound: it is a dedup table'],
      [{ isDimTable: true }, { kind: 'trimHorizon' }, 'table events cannot be rewound: it is a dimension table'],
      [{ streams: [{ streamType: 'dynamodb' }] }, { kind: 'latest', ms: 1 }, 'stream type dynamodb cannot start reading at a time'],
    ];
    for (const [config, target, message] of cases) {
      const { runtime: rt, calls } = runtime();
      await expect(rewindTable(entry(config), rt, target)).rejects.toThrow(message);
      expect(calls).toEqual([]);
    }
    const { runtime: rt, calls } = runtime();
    await rewindTable(entry({ streams: [{ streamType: 'dynamodb' }] }), rt, { kind: 'trimHorizon' });
    expect(calls).toEqual([{ kind: 'trimHorizon' }]);
  });
});

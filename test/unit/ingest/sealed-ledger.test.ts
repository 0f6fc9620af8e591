import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { SealedLedger } from '../../../src/ingest/sealed-ledger.js';
import type { LedgerEntry } from '../../../src/ingest/sealed-ledger.js';

const entry = (n: number): LedgerEntry => ({ segmentName: `t__0__${n}__20240101T0000Z`, shardId: 'shardId-000000000000', startOffset: String(n * 10 + 1), endOffset: String(n * 10 + 10), numDocs: 10, endOfShard: false });

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

describe('SealedLedger deletes', () => {
  it('keeps a segment deleted on purpose, marked, across a reload of the ledger', async () => {
    dir = await mkdtemp(join(tmpdir(), 'shardtable-ledger-'));
    const ledger = await SealedLedger.load(dir, silentLogger());
    await ledger.record(0, [entry(0), entry(1)]);
    await ledger.markDeleted(0, entry(0));
    const reloaded = await SealedLedger.load(dir, silentLogger());
    expect(reloaded.entries(0)).toEqual([entry(1), { ...entry(0), deleted: true }]);
    // Recording the same segment again (a footer merge at start) does not undo the mark.
    await reloaded.record(0, [entry(0)]);
    expect(reloaded.entries(0).find((e) => e.segmentName === entry(0).segmentName)?.deleted).toBe(true);
  });
});

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { StreamIdentityGuard } from '../../../src/ingest/stream-identity-guard.js';
import { StreamIdentityStore } from '../../../src/ingest/stream-identity-store.js';
import { retirePartitions } from '../../../src/ingest/partition-retirement.js';
import type { StreamIdentity } from '../../../src/spi/metadata-provider.js';
import type { StreamIdentities } from '../../../src/ingest/table-streams.js';

/** Test double of a table's streams: one stream whose identity is whatever `current` holds. */
function providerOf(current: { identity: StreamIdentity | null }): StreamIdentities {
  return { identities: async () => [{ key: '0', label: 'kinesis:events', identity: current.identity }] };
}

const OLD: StreamIdentity = { id: 'arn:aws:kinesis:us-east-1:000000000000:stream/events', createdAtMs: 1_700_000_000_000 };
const NEW: StreamIdentity = { id: OLD.id, createdAtMs: 1_700_000_100_000 };
const describeAs = 'events';

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

async function tableDir(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'shardtable-identity-'));
  return dir;
}

/** A table dir holding segments and ledgers of partitions 0 and 1, and a dead letter. */
async function seedTable(d: string): Promise<void> {
  for (const name of ['events__0__0__20240101T0000Z', 'events__0__1__20240101T0000Z', 'events__1__0__20240101T0000Z']) await writeFile(join(d, `${name}.seg`), 'x');
  await mkdir(join(d, 'sealed-ranges'));
  await writeFile(join(d, 'sealed-ranges', '0.json'), '{}');
  await writeFile(join(d, 'sealed-ranges', '1.json'), '{}');
  await mkdir(join(d, 'dead-letter'));
  await writeFile(join(d, 'dead-letter', 'shardId-000000000000.jsonl'), '{}\n');
}

describe('StreamIdentityGuard', () => {
  it('records the identity first seen, accepts it again, and halts on another creation time', async () => {
    const d = await tableDir();
    const current = { identity: OLD };
    const guard = await StreamIdentityGuard.open(d, describeAs, silentLogger());
    expect(guard.status().recorded).toEqual({});
    expect(await guard.verify(providerOf(current))).toBe(true);
    const file = JSON.parse(await readFile(join(d, 'stream-identity.json'), 'utf8'));
    expect(file.streams['0']).toMatchObject(OLD);
    expect(await guard.verify(providerOf(current))).toBe(true);

    current.identity = NEW;
    expect(await guard.verify(providerOf(current))).toBe(false);
    expect(guard.halted).toBe(true);
    const message = guard.message;
    expect(message).toContain('stream kinesis:events was deleted and created again');
    expect(message).toContain('created 2023-11-14T22:13:20.000Z');
    expect(message).toContain('POST /tables/events/resetStream?consumeFrom=smallest');
    // A reopened guard (a restart) halts too: the record is on disk.
    const reopened = await StreamIdentityGuard.open(d, describeAs, silentLogger());
    expect(await reopened.verify(providerOf(current))).toBe(false);
  });

  it('a stream type without streamIdentity is never checked', async () => {
    const guard = await StreamIdentityGuard.open(await tableDir(), describeAs, silentLogger());
    expect(await guard.verify(providerOf({ identity: null }))).toBe(true);
    expect(guard.status().recorded).toEqual({});
  });

  it('commitReset refuses the recorded stream and, on a recreated one, retires the partitions and records where to start', async () => {
    const d = await tableDir();
    await seedTable(d);
    const current = { identity: OLD };
    const guard = await StreamIdentityGuard.open(d, describeAs, silentLogger());
    await guard.verify(providerOf(current));
    let committed = 0;
    expect(await guard.commitReset(providerOf(current), 'smallest', () => [0, 1], () => committed++)).toBeNull();
    expect(committed).toBe(0);
    expect((await readdir(d)).filter((f) => f.endsWith('.seg'))).toHaveLength(3);

    current.identity = NEW;
    const result = await guard.commitReset(providerOf(current), 'largest', (keys) => (keys.has('0') ? [0] : []), () => committed++);
    expect(result).toMatchObject({ streams: [{ label: 'kinesis:events', previous: OLD, current: NEW }], consumeFrom: 'largest', partitionsRetired: [0] });
    expect(committed).toBe(1);
    const files = await readdir(d);
    expect(files.filter((f) => f.endsWith('.seg'))).toEqual(['events__1__0__20240101T0000Z.seg']);
    expect(await readdir(join(d, 'sealed-ranges'))).toEqual(['1.json']);
    expect(files.some((f) => f.startsWith('dead-letter-before-reset-'))).toBe(true);
    expect(files).not.toContain('dead-letter');
    const after = await StreamIdentityGuard.open(d, describeAs, silentLogger());
    expect(after.startFrom('0')).toBe('largest');
    expect(await after.verify(providerOf(current))).toBe(true);
  });

  it('a reset committed before a crash is finished when the table opens again', async () => {
    const d = await tableDir();
    await seedTable(d);
    const store = await StreamIdentityStore.load(d);
    await store.record('0', OLD);
    // The commit is written; the process dies before anything is removed.
    await store.commitReset(new Map([['0', NEW]]), 'smallest', [0, 1]);
    expect((await readdir(d)).filter((f) => f.endsWith('.seg'))).toHaveLength(3);

    const guard = await StreamIdentityGuard.open(d, describeAs, silentLogger());
    expect((await readdir(d)).filter((f) => f.endsWith('.seg'))).toEqual([]);
    expect(await readdir(join(d, 'sealed-ranges'))).toEqual([]);
    expect((await StreamIdentityStore.load(d)).retiring).toBeUndefined();
    expect(guard.startFrom('0')).toBe('smallest');
    expect(await guard.verify(providerOf({ identity: NEW }))).toBe(true);
  });

  it('retirePartitions is idempotent and leaves files it does not own', async () => {
    const d = await tableDir();
    await seedTable(d);
    await writeFile(join(d, 'notes.seg'), 'not a segment name');
    const first = await retirePartitions(d, [0, 1], 42);
    expect(first.segmentsRemoved).toHaveLength(3);
    expect(first.deadLettersMovedTo).toBe('dead-letter-before-reset-42');
    const second = await retirePartitions(d, [0, 1], 43);
    expect(second).toEqual({ segmentsRemoved: [], deadLettersMovedTo: null });
    expect(await readdir(d)).toContain('notes.seg');
  });

  it('an unreadable identity file is an error naming it, never a silent fresh start', async () => {
    const d = await tableDir();
    await writeFile(join(d, 'stream-identity.json'), '{"version": 9}');
    await expect(StreamIdentityStore.load(d)).rejects.toThrow(/stream-identity\.json: unknown version 9/);
  });
});

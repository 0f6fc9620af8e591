import { Session } from 'node:inspector/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sealPermutation, sealSegment } from '../src/segment/index.js';
import type { ConsumingSegment, SealedSegment } from '../src/segment/index.js';
import { UpsertKeyMap } from '../src/upsert/index.js';
import { summariseProfile } from './cpu-profile.js';
import { SETTINGS, ingest, schemaFor } from './upsert.js';

/**
 * `node dist/bench/profile-upsert-restart.js [rows] [runs] [keys]`: the upsert benchmark's restart
 * alone (rows in 500,000-row sealed segments, keys = rows / 10 unless given, LONG key, LONG comparison column), each
 * rebuild timed, the last one under the inspector's CPU profiler; prints the top self-time frames
 * and writes the .cpuprofile to the temp dir. For the profile in bench/notes.md.
 */
async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? '1000000');
  const runs = Number(process.argv[3] ?? '3');
  const keys = Number(process.argv[4] ?? rows / 10);
  const schema = schemaFor('LONG');
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-profile-upsert-'));
  const keyMap = new UpsertKeyMap(schema, SETTINGS);
  const consuming: ConsumingSegment[] = [];
  ingest(schema, rows, keys, keyMap, consuming);
  const sealed: SealedSegment[] = [];
  for (const seg of consuming) {
    const perm = sealPermutation(seg.snapshot(), seg.indexing);
    const file = await sealSegment(seg, { tableDir: dir, endOfShard: false, upsert: keyMap.footerFor(seg, perm) });
    keyMap.sealed(seg, file, perm);
    sealed.push(file);
  }
  const times: string[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    new UpsertKeyMap(schema, SETTINGS).rebuild(sealed);
    times.push(((performance.now() - start) / 1000).toFixed(2));
  }
  console.log(`restart: ${times.join(', ')} s for ${keys} keys in ${rows} rows`);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  new UpsertKeyMap(schema, SETTINGS).rebuild(sealed);
  const { profile } = await session.post('Profiler.stop');
  // The first delta is the profiler's own start (the inspector's `dispatch`): left out.
  const { path, lines } = await summariseProfile(profile, 'profile-upsert-restart', 12, true);
  console.log(`profile ${path}`);
  for (const line of lines) console.log(`  ${line}`);
  await rm(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

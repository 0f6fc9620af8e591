import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTableSchema } from '../src/config/schema.js';
import type { IndexingConfig } from '../src/config/table-config.js';
import { QueryEngine, writeBrokerResponse } from '../src/query/index.js';
import { sealedSnapshot } from '../src/query/exec/segment-snapshot.js';
import { ConsumingSegment, sealSegment } from '../src/segment/index.js';
import type { SealedSegment } from '../src/segment/index.js';

/**
 * `node dist/bench/profile-timestamp.js [rows] [segments] [runs]`: GROUP BY DATETRUNC('DAY', ts)
 * over a raw, ascending TIMESTAMP column with and without a timestamp index (DAY, HOUR), each
 * query timed `runs` times; for a CPU profile run it under `node --cpu-prof`.
 */
async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? '2000000');
  const segments = Number(process.argv[3] ?? '2');
  const runs = Number(process.argv[4] ?? '5');
  const schema = buildTableSchema({ schemaName: 't', dimensionFieldSpecs: [{ name: 'k', dataType: 'INT' }], dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }] });
  const dir = await mkdtemp(join(tmpdir(), 'shardtable-profile-ts-'));
  const base: IndexingConfig = { invertedIndexColumns: [], noDictionaryColumns: ['ts'], nullHandlingEnabled: false };
  const t0 = Date.UTC(2026, 0, 1);
  const build = async (name: string, indexing: IndexingConfig): Promise<SealedSegment[]> => {
    const out: SealedSegment[] = [];
    const per = Math.ceil(rows / segments);
    for (let s = 0; s < segments; s++) {
      const seg = new ConsumingSegment({ identity: { tableName: name, segmentName: `${name}__0__${s}__20260101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' }, schema, indexing, timeColumnName: 'ts' });
      for (let i = s * per; i < Math.min(rows, (s + 1) * per); i++) {
        const ts = t0 + Math.floor((i * 100 * 86_400_000) / rows);
        seg.index([i % 7, BigInt(ts)], String(i), ts);
      }
      out.push(await sealSegment(seg, { tableDir: dir, endOfShard: false }));
    }
    return out;
  };
  const tables: Record<string, SealedSegment[]> = { plain: await build('plain', base), idx: await build('idx', { ...base, timestampIndexes: { ts: ['DAY', 'HOUR'] } }) };
  const engine = new QueryEngine({ resolve: (n) => (tables[n] ? { name: n, schema, snapshot: () => tables[n]!.map((s) => sealedSnapshot(s)) } : undefined) });
  for (const t of ['plain', 'idx', 'plain', 'idx']) {
    const times: string[] = [];
    let answer = '';
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      answer = writeBrokerResponse(await engine.query(`SELECT DATETRUNC('DAY', ts), COUNT(*) FROM ${t} GROUP BY DATETRUNC('DAY', ts) ORDER BY 1 LIMIT 1000`));
      times.push((performance.now() - start).toFixed(1));
    }
    console.log(`${t}: ${times.join(', ')} ms; ${JSON.parse(answer).resultTable.rows.length} groups`);
  }
}

void main();

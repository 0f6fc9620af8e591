import { expect } from 'vitest';
import type { TableIngestion } from '../../src/ingest/index.js';

/** How often each value of the LONG column `column` appears in the table now (sealed + consuming). */
export function idCounts(runtime: TableIngestion, column = 'id'): Map<bigint, number> {
  const counts = new Map<bigint, number>();
  const { sealed, consuming } = runtime.queryableSegments();
  for (const segment of [...sealed, ...consuming]) {
    const n = segment.numDocs;
    for (let doc = 0; doc < n; doc++) {
      const id = segment.getValue(column, doc) as bigint;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

/** Every id 0..total-1 is in the table exactly once, and nothing else is. */
export function expectExactlyOnce(runtime: TableIngestion, total: number): void {
  const counts = idCounts(runtime);
  expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  expect(counts.size).toBe(total);
  for (let id = 0; id < total; id++) if (!counts.has(BigInt(id))) expect.fail(`id ${id} missing`);
}

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

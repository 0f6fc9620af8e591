import { expect } from 'vitest';
import type { CellValue } from '../../src/config/data-type.js';
import type { TableRuntime } from '../../src/ingest/table-runtime.js';

/** Anything whose rows a query would read now: a `TableIngestion`, or a table manager's runtime. */
export type RowSource = Pick<TableRuntime, 'queryableSegments'>;

/** How often each value of the LONG column `column` appears in the table now (sealed + consuming). */
export function idCounts(runtime: RowSource, column = 'id'): Map<bigint, number> {
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

/** Every value of the LONG column `column` in the table now (sealed + consuming), ascending; duplicates kept. */
export function sortedIds(runtime: RowSource, column = 'id'): bigint[] {
  const out: bigint[] = [];
  const { sealed, consuming } = runtime.queryableSegments();
  for (const segment of [...sealed, ...consuming]) {
    for (let doc = 0; doc < segment.numDocs; doc++) out.push(segment.getValue(column, doc) as bigint);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every row of the table now (sealed + consuming), as column → value (null where the cell is null) for `columns`. */
export function tableRows(runtime: RowSource, columns: readonly string[]): Record<string, CellValue | null>[] {
  const out: Record<string, CellValue | null>[] = [];
  const { sealed, consuming } = runtime.queryableSegments();
  for (const segment of [...sealed, ...consuming]) {
    for (let doc = 0; doc < segment.numDocs; doc++) {
      const row: Record<string, CellValue | null> = {};
      for (const c of columns) row[c] = segment.isNull(c, doc) ? null : segment.getValue(c, doc);
      out.push(row);
    }
  }
  return out;
}

/** Every id 0..total-1 is in the table exactly once, and nothing else is. */
export function expectExactlyOnce(runtime: RowSource, total: number): void {
  const counts = idCounts(runtime);
  expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  expect(counts.size).toBe(total);
  for (let id = 0; id < total; id++) if (!counts.has(BigInt(id))) expect.fail(`id ${id} missing`);
}

/** Polls `check` every `pollMs` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 45_000, pollMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * {@link waitFor} with other defaults, for a file whose waits all share them.
 *
 * @example
 *   const waitFor = waitForWith({ timeoutMs: 60_000, pollMs: 100 });
 */
export function waitForWith(defaults: { timeoutMs: number; pollMs: number }): (what: string, check: () => boolean | Promise<boolean>, timeoutMs?: number) => Promise<void> {
  return (what, check, timeoutMs = defaults.timeoutMs) => waitFor(what, check, timeoutMs, defaults.pollMs);
}

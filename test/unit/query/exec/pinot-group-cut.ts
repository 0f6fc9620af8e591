import type { CellValue } from '../../../../src/config/data-type.js';

/**
 * TEST ONLY. Pinot's answer to `SELECT k, count(*) … GROUP BY k ORDER BY count(*) DESC, k LIMIT
 * top` when `numGroupsLimit` = `limit` binds: each segment counts the first `limit` keys it meets
 * (in doc order) and drops the rest, then the segments' counts are added. Column 0 of each row is
 * the key (a BIGINT).
 */
export function pinotLimitedTop(segments: readonly (readonly (CellValue | null)[])[][], limit: number, top: number): [number, number][] {
  const counts = new Map<number, number>();
  for (const segment of segments) {
    const seen = new Set<number>();
    for (const row of segment) {
      const k = Number(row[0] as bigint);
      if (!seen.has(k)) {
        if (seen.size >= limit) continue;
        seen.add(k);
      }
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, top);
}

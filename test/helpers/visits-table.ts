import type { PinotSchema } from '../../src/config/schema.js';

/**
 * TEST ONLY. The `visits` table the worker-pool and cluster-broker tests query: strings, a LONG,
 * multi-value STRING and INT columns, INT/DOUBLE metrics and a TIMESTAMP, so every partial form
 * (numeric states, distinct sets, percentile buffers, MODE maps, top-k rows) is exercised.
 */
export const VISITS_SCHEMA: PinotSchema = {
  schemaName: 'visits',
  dimensionFieldSpecs: [
    { name: 'user', dataType: 'STRING' },
    { name: 'country', dataType: 'STRING' },
    { name: 'id', dataType: 'LONG' },
    { name: 'tags', dataType: 'STRING', singleValueField: false },
    { name: 'tags_n', dataType: 'INT', singleValueField: false },
    { name: 'rank', dataType: 'INT' },
  ],
  metricFieldSpecs: [
    { name: 'clicks', dataType: 'INT' },
    { name: 'amount', dataType: 'DOUBLE' },
  ],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:TIMESTAMP', granularity: '1:MILLISECONDS' }],
};

/** TEST ONLY. `n` deterministic rows of `VISITS_SCHEMA`, with `users` distinct users; one a minute from 2023-11-14. */
export function visitRows(n: number, users: number): unknown[][] {
  return Array.from({ length: n }, (_, i) => [
    `user-${i % users}`,
    `c${i % 7}`,
    BigInt(i * 7919) % 100_003n,
    [`t${i % 3}`, `t${i % 5}`],
    [i % 3, i % 4],
    i % 13,
    i % 11,
    // Quarters: sums of these are exact in any order.
    (i % 17) * 0.25,
    1_700_000_000_000n + BigInt(i) * 60_000n,
  ]);
}

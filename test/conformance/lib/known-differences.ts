import type { BrokerResponse } from './broker-response.js';
import type { Cell } from './cells.js';
import { canonCell, sameMultiset, sigText } from './cells.js';
import type { Verdict } from './compat-compare.js';

/**
 * Airline queries whose reference answer differs from Pinot's for a documented reason. Each is
 * still run and checked: `check` asserts the *known* difference (Pinot's answer as Pinot defines
 * it), so a changed answer fails. Keyed by the Pinot SQL text.
 *
 * A general difference is handled by the comparison rule itself and reported the same way
 * (`knownDifference` on the outcome): aggregations over no rows (`EMPTY_AGGREGATE_DIFFERENCE` in
 * `oracle-compare.ts`).
 */
export interface KnownDifference {
  readonly reason: string;
  check(actual: BrokerResponse, reference: readonly Cell[][]): Verdict;
}

const rowText = (r: readonly Cell[]): string => r.map((c) => canonCell(c, sigText)).join(' | ');

export const KNOWN_DIFFERENCES: ReadonlyMap<string, KnownDifference> = new Map<string, KnownDifference>([
  [
    'SELECT DestStateFips, DivAirportSeqIDs, WheelsOn FROM mytable WHERE DivTotalGTimes IN (62) AND DestAirportID NOT IN (14252, 10821, 11337) LIMIT 9',
    {
      reason:
        'the file\'s H2 query lost a comma (`DivAirportSeqIDs WheelsOn` makes WheelsOn an alias), so the reference has 2 columns; ' +
        'Pinot must return the 3 selected columns, and its first two columns must be exactly the reference rows (all 3 qualify, LIMIT 9)',
      check(actual, reference) {
        const rows = actual.resultTable?.rows;
        if (rows === undefined || (actual.exceptions ?? []).length > 0) return { ok: false, reason: 'no result' };
        if (rows.some((r) => r.length !== 3)) return { ok: false, reason: 'expected 3 columns' };
        const firstTwo = rows.map((r) => rowText(r.slice(0, 2)));
        return sameMultiset(firstTwo, reference.map(rowText)) ? { ok: true } : { ok: false, reason: 'first two columns differ from the reference rows' };
      },
    },
  ],
]);

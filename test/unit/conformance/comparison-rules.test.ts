import { describe, expect, it } from 'vitest';
import type { BrokerResponse } from '../../conformance/lib/broker-response.js';
import { round2Text, typedCanon } from '../../conformance/lib/cells.js';
import { checkGroovy, usesGroovy } from '../../conformance/lib/compat-runner.js';
import { compareCompat } from '../../conformance/lib/compat-compare.js';
import { parseJsonExact } from '../../conformance/lib/json-exact.js';
import { compareWithOracle, oracleRule } from '../../conformance/lib/oracle-compare.js';
import { sqlShape, withOrderKeysSelected, withoutLimit } from '../../conformance/lib/sql-shape.js';

const resp = (types: string[], rows: unknown[][], extra: Partial<BrokerResponse> = {}): BrokerResponse =>
  ({ resultTable: { dataSchema: { columnNames: types.map((_, i) => `c${i}`), columnDataTypes: types }, rows }, exceptions: [], ...extra }) as BrokerResponse;

describe('exact JSON', () => {
  it('keeps 64-bit integers exact and accepts Jackson infinities', () => {
    expect(parseJsonExact('{"r":[[-9223372036854775808, 1.5, 7, NaN, -Infinity, "x"]]}')).toEqual({ r: [[-9223372036854775808n, 1.5, 7, NaN, -Infinity, 'x']] });
    expect(() => parseJsonExact('{"a":1} x')).toThrow(/trailing/);
  });
});

describe('compat comparison (Pinot SqlResultComparator rules)', () => {
  it('rounds FLOAT/DOUBLE to 2 decimals like Java, saturating beyond ±9.2e16', () => {
    expect(round2Text(12.100000381469727)).toBe(round2Text(12.1));
    expect(round2Text(6.2e45)).toBe(round2Text(9.223372036854776e16));
    expect(round2Text(1.005)).not.toBe(round2Text(1.02));
  });

  it('compares LONG exactly, FLOAT by rounding, and accepts listed type alternatives', () => {
    const expected = resp(['LONG', 'FLOAT', 'DOUBLE,LONG'], [[9223372036854775807n, 12.1, 4294967536]]);
    expect(compareCompat('SELECT a FROM t', expected, resp(['LONG', 'FLOAT', 'LONG'], [[9223372036854775807n, 12.100000381469727, 4294967536]])).ok).toBe(true);
    expect(compareCompat('SELECT a FROM t', expected, resp(['LONG', 'FLOAT', 'DOUBLE'], [[9223372036854775806n, 12.1, 4294967536]])).ok).toBe(false);
    expect(compareCompat('SELECT a FROM t', expected, resp(['INT', 'FLOAT', 'LONG'], [[9223372036854775807n, 12.1, 4294967536]])).reason).toMatch(/columnDataTypes/);
  });

  it('fails on exceptions; both-empty results compare column names only', () => {
    expect(compareCompat('SELECT a FROM t', resp(['INT'], []), { exceptions: [{ errorCode: 200, message: 'boom' }] }).ok).toBe(false);
    expect(compareCompat('SELECT a FROM t', resp(['STRING'], []), resp(['LONG'], [])).ok).toBe(true);
  });

  it('without ORDER BY compares as a multiset; isSuperset is containment', () => {
    const expected = resp(['INT'], [[1], [2], [2]]);
    expect(compareCompat('SELECT a FROM t', expected, resp(['INT'], [[2], [1], [2]])).ok).toBe(true);
    expect(compareCompat('SELECT a FROM t', expected, resp(['INT'], [[2], [1], [1]])).ok).toBe(false);
    const superset = resp(['INT'], [[1], [2], [3]], { isSuperset: true });
    expect(compareCompat('SELECT a FROM t LIMIT 2', superset, resp(['INT'], [[3], [1]])).ok).toBe(true);
    expect(compareCompat('SELECT a FROM t LIMIT 2', superset, resp(['INT'], [[4]])).ok).toBe(false);
  });

  it('with ORDER BY: keys row by row, ties as multisets, last run free when cut by LIMIT', () => {
    const expected = resp(['INT', 'STRING'], [[1, 'a'], [1, 'b'], [2, 'c'], [3, 'd']]);
    const q = 'SELECT k, v FROM t ORDER BY k';
    expect(compareCompat(q, expected, resp(['INT', 'STRING'], [[1, 'b'], [1, 'a'], [2, 'c'], [3, 'd']])).ok).toBe(true);
    expect(compareCompat(q, expected, resp(['INT', 'STRING'], [[2, 'c'], [1, 'a'], [1, 'b'], [3, 'd']])).ok).toBe(false);
    expect(compareCompat(q, expected, resp(['INT', 'STRING'], [[1, 'a'], [1, 'b'], [2, 'x'], [3, 'd']])).ok).toBe(false);
    expect(compareCompat(`${q} LIMIT 4`, expected, resp(['INT', 'STRING'], [[1, 'a'], [1, 'b'], [2, 'c'], [3, 'zz']])).ok).toBe(true);
  });

  it('groovy queries pass only with an exception naming groovy', () => {
    expect(usesGroovy("SELECT groovy('{}', 'arg0', a) FROM t")).toBe(true);
    expect(checkGroovy({ exceptions: [{ errorCode: 200, message: 'Unsupported function: groovy' }] }).ok).toBe(true);
    expect(checkGroovy({ exceptions: [{ errorCode: 200, message: 'boom' }] }).ok).toBe(false);
    expect(checkGroovy(resp(['LONG'], [[1]])).ok).toBe(false);
  });
});

describe('oracle comparison (conformance README rules)', () => {
  it('picks the rule from the query shape', () => {
    expect(oracleRule(sqlShape('SELECT AVG(x), COUNT(*) FROM t LIMIT 4'))).toBe('aggregation');
    expect(oracleRule(sqlShape('SELECT a, COUNT(*) FROM t GROUP BY a ORDER BY a LIMIT 3'))).toBe('ordered');
    expect(oracleRule(sqlShape('SELECT a, COUNT(*) FROM t GROUP BY a'))).toBe('unordered');
    expect(oracleRule(sqlShape('SELECT a FROM t ORDER BY "b" LIMIT 3'))).toBe('ordered-hidden');
    expect(oracleRule(sqlShape('SELECT "Month" FROM t ORDER BY `Month`'))).toBe('ordered');
  });

  it('aggregation: within max(1, |x|·1e-5); empty aggregates are Pinot defaults, reported as a difference', () => {
    const shape = sqlShape('SELECT AVG(a), SUM(b), MAX(c) FROM t');
    expect(compareWithOracle(shape, [[10.9, 1_000_005, 3]], [[10, 1_000_000, 3]]).ok).toBe(true);
    expect(compareWithOracle(shape, [[12, 1_000_000, 3]], [[10, 1_000_000, 3]]).ok).toBe(false);
    const empty = compareWithOracle(shape, [['-Infinity', 0, '-Infinity']], [[null, null, null]]);
    expect(empty.ok && empty.knownDifference !== undefined).toBe(true);
    expect(compareWithOracle(shape, [[null, 0, '-Infinity']], [[null, null, null]]).ok).toBe(false);
  });

  it('ordered: LIMIT rows, keys in order, ties at the boundary may be any tied reference rows', () => {
    const shape = sqlShape('SELECT k, v FROM t ORDER BY k LIMIT 3');
    const reference = [[1, 'a'], [2, 'b'], [2, 'c'], [2, 'd'], [3, 'e']];
    expect(compareWithOracle(shape, [[1, 'a'], [2, 'd'], [2, 'b']], reference).ok).toBe(true);
    expect(compareWithOracle(shape, [[1, 'a'], [2, 'x'], [2, 'b']], reference).ok).toBe(false);
    expect(compareWithOracle(shape, [[1, 'a'], [2, 'b'], [3, 'e']], reference).ok).toBe(false);
    expect(compareWithOracle(shape, [[1, 'a'], [2, 'b']], reference).ok).toBe(false);
  });

  it('hidden ORDER BY keys: rows must rank within the first LIMIT (ties allowed)', () => {
    const shape = sqlShape('SELECT v FROM t ORDER BY k LIMIT 2');
    const reference = [['a', 1], ['b', 2], ['c', 2], ['d', 3]];
    expect(compareWithOracle(shape, [['c'], ['a']], reference, 1).ok).toBe(true);
    expect(compareWithOracle(shape, [['b'], ['c']], reference, 1).ok).toBe(false);
    expect(compareWithOracle(shape, [['a'], ['d']], reference, 1).ok).toBe(false);
  });

  it('unordered: multiset when it fits in LIMIT, otherwise LIMIT rows from the reference', () => {
    expect(compareWithOracle(sqlShape('SELECT a, COUNT(*) FROM t GROUP BY a'), [[2, 1], [1, 3]], [[1, 3], [2, 1]]).ok).toBe(true);
    expect(compareWithOracle(sqlShape('SELECT a, COUNT(*) FROM t GROUP BY a'), [[2, 1], [1, 4]], [[1, 3], [2, 1]]).ok).toBe(false);
    expect(compareWithOracle(sqlShape('SELECT a FROM t LIMIT 1'), [[2]], [[1], [2]]).ok).toBe(true);
    expect(compareWithOracle(sqlShape('SELECT a FROM t LIMIT 1'), [[5]], [[1], [2]]).ok).toBe(false);
  });

  it('types drive cell canonicalisation: FLOAT precision, DOUBLE digits, infinities and timestamps as text', () => {
    expect(typedCanon('FLOAT')(12.1)).toBe(typedCanon('FLOAT')(12.100000381469727));
    expect(typedCanon('DOUBLE')(9007199254740992)).toBe(typedCanon('DOUBLE')(9007199254740993n));
    expect(typedCanon('LONG')(9007199254740992)).not.toBe(typedCanon('LONG')(9007199254740993n));
    expect(typedCanon('DOUBLE')('-Infinity')).toBe(typedCanon('DOUBLE')(-Infinity));
    expect(typedCanon('TIMESTAMP')('2024-01-01 10:00:00.0')).toBe(typedCanon('TIMESTAMP')(1704103200000));
    expect(typedCanon('STRING')('12')).not.toBe(typedCanon('STRING')(12));
  });
});

describe('SQL shape helpers', () => {
  it('strips the top-level LIMIT and appends hidden ORDER BY expressions to the select list', () => {
    expect(withoutLimit("SELECT a FROM t WHERE s = 'LIMIT 3' ORDER BY a LIMIT 10000")).toBe("SELECT a FROM t WHERE s = 'LIMIT 3' ORDER BY a");
    expect(withOrderKeysSelected('SELECT a FROM t WHERE x > 1 ORDER BY b DESC, "c"')).toEqual({ sql: 'SELECT a, b, "c" FROM t WHERE x > 1 ORDER BY b DESC, "c"', added: 2 });
  });
});

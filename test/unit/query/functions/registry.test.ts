import { describe, expect, it } from 'vitest';
import { SCALAR_FUNCTIONS, scalarFunction } from '../../../../src/query/functions/registry.js';
import { sv } from '../../../../src/query/functions/function-types.js';
import type { ArgInfo } from '../../../../src/query/functions/function-types.js';

const lit = (v: string | number): ArgInfo => ({ type: sv(typeof v === 'number' ? 'INT' : 'STRING'), isLiteral: true, literal: v });
const col = (t: 'STRING' | 'LONG' | 'INT' = 'STRING'): ArgInfo => ({ type: sv(t), isLiteral: false, literal: null });

describe('scalar function registry', () => {
  it('finds functions by canonical name and aliases', () => {
    expect(scalarFunction('JSON_EXTRACT_SCALAR')?.name).toBe('jsonextractscalar');
    expect(scalarFunction('plus')?.name).toBe('add');
    expect(scalarFunction('nope')).toBeUndefined();
    expect(SCALAR_FUNCTIONS.names()).toContain('datetrunc');
  });

  it('implements string functions with Java semantics', () => {
    const call = (name: string, args: ArgInfo[], ...values: unknown[]): unknown => scalarFunction(name)!.build(args)(...values);
    expect(call('substr', [col(), lit(4), lit(9)], 'Java C++ Python', 4, 9)).toBe(' C++ ');
    expect(call('rpad', [col(), lit(11), lit('abc')], 's2-2', 11, 'abc')).toBe('s2-2abcabca');
    expect(call('lpad', [col(), lit(11), lit('xyz')], 's2-2', 11, 'xyz')).toBe('xyzxyzxs2-2');
    expect(call('strpos', [col(), lit('2'), lit(2)], 's2-2', '2', 2)).toBe(3);
    expect(call('codepoint', [col()], 's')).toBe(115);
    expect(call('concat', [col(), col(), lit('-')], 'a', 'b', '-')).toBe('a-b');
  });

  it('implements time functions', () => {
    const call = (name: string, args: ArgInfo[], ...values: unknown[]): unknown => scalarFunction(name)!.build(args)(...values);
    expect(call('toEpochDays', [col('LONG')], 1_388_620_800_000n)).toBe(16072n);
    expect(call('fromEpochDays', [col('INT')], 16072)).toBe(1_388_620_800_000n);
    expect(call('datetrunc', [lit('MONTH'), col('LONG')], 'MONTH', 1_388_620_800_000n)).toBe(1_388_534_400_000n);
    expect(call('toDateTime', [col('LONG'), lit('yyyy-MM-dd')], 1_388_620_800_000n, 'yyyy-MM-dd')).toBe('2014-01-02');
    expect(call('fromDateTime', [col(), lit('yyyy-MM-dd HH:mm:ss')], '2014-01-02 00:00:00', 'x')).toBe(1_388_620_800_000n);
  });

  it('rejects a bad literal argument when the plan is built', () => {
    expect(() => scalarFunction('datetrunc')!.build([lit('FORTNIGHT'), col('LONG')])).toThrow(/DATETRUNC unit 'FORTNIGHT'/);
    expect(() => scalarFunction('jsonextractscalar')!.returnType([col(), lit('$.a'), lit('NUMBER')])).toThrow(/result type 'NUMBER'/);
  });
});

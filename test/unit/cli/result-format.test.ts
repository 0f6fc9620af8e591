import { describe, expect, it } from 'vitest';
import { formatCsv, formatTable } from '../../../src/cli/result-format.js';

const table = {
  dataSchema: { columnNames: ['name', 'n', 'tags'], columnDataTypes: ['STRING', 'DOUBLE', 'STRING_ARRAY'] },
  rows: [
    ['a, "quoted"', 1.5, ['x', 'y']],
    [null, 12345, []],
  ],
};

describe('result formats', () => {
  it('aligns a table: names, types, a rule, numbers right-aligned, null and arrays shown', () => {
    expect(formatTable(table)).toBe(
      [
        'name              n  tags',
        'STRING       DOUBLE  STRING_ARRAY',
        '-----------  ------  ------------',
        'a, "quoted"     1.5  ["x","y"]',
        'null          12345  []',
        '',
      ].join('\n'),
    );
  });

  it('writes CSV with RFC 4180 quoting and empty nulls', () => {
    expect(formatCsv(table)).toBe('name,n,tags\n"a, ""quoted""",1.5,"[""x"",""y""]"\n,12345,[]\n');
  });

  it('an empty result is its header only', () => {
    const empty = { dataSchema: { columnNames: ['c'], columnDataTypes: ['INT'] }, rows: [] };
    expect(formatCsv(empty)).toBe('c\n');
    expect(formatTable(empty)).toBe('  c\nINT\n---\n');
  });
});

import { describe, expect, it } from 'vitest';
import { csvToRecords, cycleRecords, parseCsvCells, replaceGenerationNumber } from '../../conformance/lib/csv-records.js';
import { contentLines, loadCompatSuite, pairQueries, parseOperations } from '../../conformance/lib/compat-suite.js';

describe('Pinot CSV record reader rules', () => {
  const config = { commentMarker: '#', header: 'a,b,mv,json' };

  it('skips comment and blank lines, maps cells to the configured header, drops extra trailing cells', () => {
    const text = '# a b mv json\n1,x,p;q,"{""k"":1}", # a trailing comment cell\n\n# another comment\n2,y,r,"{}"\n';
    expect(csvToRecords(text, config)).toEqual([
      { a: '1', b: 'x', mv: ['p', 'q'], json: '{"k":1}' },
      { a: '2', b: 'y', mv: 'r', json: '{}' },
    ]);
  });

  it('reads empty and missing cells as null, and drops empty multi-value parts', () => {
    expect(csvToRecords('1,,a;;b\n', config)).toEqual([{ a: '1', b: null, mv: ['a', 'b'], json: null }]);
  });

  it('takes the header from the first record when the config has none', () => {
    expect(csvToRecords('x,y\n1,2\n', { commentMarker: '#' })).toEqual([{ x: '1', y: '2' }]);
  });

  it('handles quotes, embedded delimiters and CRLF', () => {
    expect(parseCsvCells('"a,b",c\r\n"say ""hi""",d\r\n')).toEqual([
      ['a,b', 'c'],
      ['say "hi"', 'd'],
    ]);
  });

  it('replaces __GENERATION_NUMBER__ everywhere and cycles rows like StreamOp', () => {
    expect(replaceGenerationNumber('a=__GENERATION_NUMBER__ OR b=__GENERATION_NUMBER__', 7)).toBe('a=7 OR b=7');
    expect(cycleRecords([1, 2, 3], 7)).toEqual([1, 2, 3, 1, 2, 3, 1]);
  });

  it('reads the shared suite: 10 + 66 + 300 rows, query lines paired with result lines', () => {
    const suite = loadCompatSuite(7, Date.UTC(2024, 0, 1));
    const ft1 = suite.tables.find((t) => t.name === 'FeatureTest1')!;
    expect(ft1.records).toHaveLength(10);
    // Row with default values: empty cells are null; the trailing "# ..." cell is not data.
    expect(ft1.records[5]).toMatchObject({ stringDimSV1: 's1-5', stringDimSV2: null, longDimSV1: null, intDimMV1: null, bytesDimSV1: null, generationNumber: '7', doubleMetric1: '24.10' });
    expect(ft1.records[0]!.mapDim2json).toBe('{"k1":1,"k2":1,"k3":2,"k4":2,"k5":2}');
    const ft3 = suite.tables.find((t) => t.name === 'FeatureTest3')!;
    expect([ft3.records.length, ft3.shards, ft3.partitionColumn]).toEqual([300, 3, 'longDimSV1']);
    expect(ft3.records[0]!.HoursSinceEpoch).toBe(String(Date.UTC(2024, 0, 1) / 3_600_000));
    expect(suite.queryFiles.map((f) => [f.table, f.queries.length])).toEqual([
      ['FeatureTest1', 66],
      ['FeatureTest2', 30],
      ['FeatureTest3', 23],
    ]);
    expect(suite.queryFiles[0]!.queries[0]!.sql).toBe('SELECT count(*) FROM FeatureTest1 WHERE generationNumber = 7');
  });

  it('pairs queries and results by content line, and refuses files that disagree', () => {
    expect(contentLines('# c\n\nq1\n  \nq2\n').map((l) => [l.line, l.text])).toEqual([
      [3, 'q1'],
      [5, 'q2'],
    ]);
    expect(pairQueries('# x\nq1 __GENERATION_NUMBER__\n', '# y\n\n{"r":1}\n', 3)).toEqual([{ line: 2, sql: 'q1 3', expected: '{"r":1}', expectedLine: 3 }]);
    expect(() => pairQueries('q1\nq2\n', '{}\n', 1)).toThrow(/2 queries but 1 result/);
  });

  it('parses the verifier yaml operations', () => {
    const ops = parseOperations('# c\ndescription: x\noperations:\n  - type: streamOp\n    op: PRODUCE\n    numRows: 66\n  - type: queryOp\n    queryFileName: q.queries\n');
    expect(ops).toEqual([
      { type: 'streamOp', op: 'PRODUCE', numRows: '66' },
      { type: 'queryOp', queryFileName: 'q.queries' },
    ]);
  });
});

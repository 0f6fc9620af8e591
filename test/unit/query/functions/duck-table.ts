import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, expect } from 'vitest';
import type { CellValue } from '../../../../src/config/data-type.js';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { buildFixture } from '../query-fixtures.js';
import type { BrokerJson, QueryFixture } from '../query-fixtures.js';

/**
 * TEST ONLY. The fixture the SQL-function tests share: one table held in real segments (all but
 * the last `segmentRows` rows sealed, see `buildFixture`), and the same rows in an in-memory
 * DuckDB as the reference. {@link withDuckTable} registers `beforeAll` / `afterAll` in the
 * calling file; use the handle inside its tests.
 */
export interface DuckTableOptions {
  readonly schema: PinotSchema;
  /** One cell per schema column, in-memory types. */
  readonly cells: readonly (CellValue | null)[][];
  readonly segmentRows: number;
  /** The statements that create and fill the DuckDB reference table. */
  readonly duckSql: readonly string[];
}

export interface DuckTable {
  /** Runs SQL on our engine: the parsed broker response, exceptions and all. */
  query(sql: string, options?: string): Promise<BrokerJson>;
  /** Runs SQL on our engine, which must answer without exceptions: column names, types, rows. */
  ours(sql: string): Promise<{ names: string[]; types: string[]; rows: unknown[][] }>;
  /** Runs SQL on DuckDB: rows with BIGINTs (also inside lists) as numbers. */
  reference(sql: string): Promise<unknown[][]>;
  /** Runs SQL on our engine, which must answer with exactly one exception: its code and message. */
  error(sql: string): Promise<{ code: number; message: string }>;
}

/**
 * @example
 *   const t = withDuckTable({ schema: SCHEMA, cells, segmentRows: 20, duckSql: ['CREATE TABLE t (id BIGINT)', 'INSERT INTO t VALUES (1)'] });
 *   it('sums', async () => expect((await t.ours('SELECT sum(id) FROM t')).rows).toEqual(await t.reference('SELECT sum(id) FROM t')));
 */
export function withDuckTable(opts: DuckTableOptions): DuckTable {
  let fx: QueryFixture | undefined;
  let duck: DuckDBConnection | undefined;

  beforeAll(async () => {
    fx = await buildFixture(opts.schema, opts.cells, { segmentRows: opts.segmentRows });
    duck = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
    for (const statement of opts.duckSql) await duck.run(statement);
  });

  afterAll(async () => {
    duck?.closeSync();
    await fx?.cleanup();
  });

  const ready = (): QueryFixture => {
    if (fx === undefined) throw new Error('duck table: not built yet (use the handle inside tests)');
    return fx;
  };
  const number = (c: unknown): unknown => (typeof c === 'bigint' ? Number(c) : c);
  const table: DuckTable = {
    query: (sql, options) => ready().query(sql, options),
    async ours(sql) {
      const r = await ready().query(sql);
      expect(r.exceptions).toEqual([]);
      return { names: r.resultTable!.dataSchema.columnNames, types: r.resultTable!.dataSchema.columnDataTypes, rows: r.resultTable!.rows };
    },
    async reference(sql) {
      if (duck === undefined) throw new Error('duck table: not built yet (use the handle inside tests)');
      const r = await duck.runAndReadAll(sql);
      return r.getRowsJS().map((cells) => cells.map((c) => (Array.isArray(c) ? c.map(number) : number(c))));
    },
    async error(sql) {
      const r = await ready().query(sql);
      expect(r.exceptions.length, sql).toBe(1);
      return { code: r.exceptions[0]!.errorCode, message: r.exceptions[0]!.message };
    },
  };
  return table;
}

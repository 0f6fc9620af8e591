import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../../../src/config/data-type.js';
import type { PinotSchema } from '../../../../src/config/schema.js';
import { QueryEngine, writeBrokerResponse } from '../../../../src/query/index.js';
import { mulberry32 } from '../../../helpers/random.js';
import { buildTableSegments } from '../query-fixtures.js';
import type { BrokerJson, FixtureTable } from '../query-fixtures.js';

/**
 * Dimension tables (issue 15, item 8): `lookUp()` and multi-stage JOINs of a fact table with a
 * dimension table, on generated data held in sealed and consuming segments of both tables, each
 * answer checked against DuckDB over the same rows (the dimension table deduplicated by primary
 * key, the later row winning, as shardtable reads it).
 */
const ORDERS: PinotSchema = {
  schemaName: 'orders',
  dimensionFieldSpecs: [
    { name: 'id', dataType: 'LONG' },
    { name: 'customer', dataType: 'INT' },
    { name: 'country', dataType: 'STRING' },
    { name: 'qty', dataType: 'INT' },
  ],
  metricFieldSpecs: [{ name: 'amount', dataType: 'DOUBLE' }],
};
const CUSTOMERS: PinotSchema = {
  schemaName: 'customers',
  dimensionFieldSpecs: [
    { name: 'cid', dataType: 'LONG' },
    { name: 'name', dataType: 'STRING' },
    { name: 'tier', dataType: 'STRING' },
  ],
  metricFieldSpecs: [{ name: 'discount', dataType: 'DOUBLE' }],
  primaryKeyColumns: ['cid'],
};
const RATES: PinotSchema = {
  schemaName: 'rates',
  dimensionFieldSpecs: [
    { name: 'country', dataType: 'STRING' },
    { name: 'qty', dataType: 'INT' },
  ],
  metricFieldSpecs: [{ name: 'rate', dataType: 'DOUBLE' }],
  primaryKeyColumns: ['country', 'qty'],
};

// Seeded, so the data is the same on every run.
const rnd = mulberry32(15);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const COUNTRIES = ['NL', 'DE', 'US', 'FR'];
const TIERS = ['gold', 'silver', 'bronze'];

// Orders name customers 0..44; customers 0..34 exist (10 never match). Customers 0..9 are written
// twice: the second row (in a later segment) replaces the first.
const orders = Array.from({ length: 300 }, (_, i) => ({ id: i, customer: Math.floor(rnd() * 45), country: pick(COUNTRIES), qty: 1 + Math.floor(rnd() * 5), amount: Math.floor(rnd() * 400) / 4 }));
const customerRows = [
  ...Array.from({ length: 35 }, (_, c) => ({ cid: c, name: `c${c}`, tier: pick(TIERS), discount: Math.floor(rnd() * 4) / 8 })),
  ...Array.from({ length: 10 }, (_, c) => ({ cid: c, name: `c${c}-renamed`, tier: pick(TIERS), discount: Math.floor(rnd() * 4) / 8 })),
];
const rateRows = COUNTRIES.flatMap((country) => [1, 2, 3, 4].map((qty) => ({ country, qty, rate: Math.floor(rnd() * 16) / 16 })));

let orderTable: FixtureTable;
let customerTable: FixtureTable;
let rateTable: FixtureTable;
let engine: QueryEngine;
let duck: DuckDBConnection;

beforeAll(async () => {
  orderTable = await buildTableSegments(ORDERS, orders.map((o): CellValue[] => [BigInt(o.id), o.customer, o.country, o.qty, o.amount]), { segmentRows: 80 });
  customerTable = await buildTableSegments(CUSTOMERS, customerRows.map((c): CellValue[] => [BigInt(c.cid), c.name, c.tier, c.discount]), { segmentRows: 20, isDimTable: true });
  rateTable = await buildTableSegments(RATES, rateRows.map((r): CellValue[] => [r.country, r.qty, r.rate]), { segmentRows: 10, isDimTable: true });
  const tables = [orderTable, customerTable, rateTable];
  engine = new QueryEngine({ resolve: (name) => tables.find((t) => t.name.toLowerCase() === name.replace(/_REALTIME$/i, '').toLowerCase())?.queryTable });

  duck = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
  await duck.run('CREATE TABLE orders (id BIGINT, customer INTEGER, country VARCHAR, qty INTEGER, amount DOUBLE)');
  await duck.run(`INSERT INTO orders VALUES ${orders.map((o) => `(${o.id}, ${o.customer}, '${o.country}', ${o.qty}, ${o.amount})`).join(', ')}`);
  const latest = new Map(customerRows.map((c) => [c.cid, c]));
  await duck.run('CREATE TABLE customers (cid BIGINT PRIMARY KEY, name VARCHAR, tier VARCHAR, discount DOUBLE)');
  await duck.run(`INSERT INTO customers VALUES ${[...latest.values()].map((c) => `(${c.cid}, '${c.name}', '${c.tier}', ${c.discount})`).join(', ')}`);
  await duck.run('CREATE TABLE rates (country VARCHAR, qty INTEGER, rate DOUBLE)');
  await duck.run(`INSERT INTO rates VALUES ${rateRows.map((r) => `('${r.country}', ${r.qty}, ${r.rate})`).join(', ')}`);
});

afterAll(async () => {
  duck?.closeSync();
  for (const t of [orderTable, customerTable, rateTable]) await t?.cleanup();
});

async function query(sql: string, options?: string): Promise<BrokerJson> {
  return JSON.parse(writeBrokerResponse(await engine.query(sql, options))) as BrokerJson;
}

async function ours(sql: string): Promise<{ names: string[]; types: string[]; rows: unknown[][] }> {
  const r = await query(sql);
  expect(r.exceptions).toEqual([]);
  return { names: r.resultTable!.dataSchema.columnNames, types: r.resultTable!.dataSchema.columnDataTypes, rows: r.resultTable!.rows };
}

async function reference(sql: string): Promise<unknown[][]> {
  const r = await duck.runAndReadAll(sql);
  return r.getRowsJS().map((cells) => cells.map((c) => (typeof c === 'bigint' ? Number(c) : c)));
}

const MS = 'SET useMultistageEngine=true; ';

describe('dimension tables: generated data in sealed and consuming segments', () => {
  it('both tables span sealed and consuming segments', () => {
    expect([orderTable.sealed.length > 0, orderTable.consuming.length, customerTable.sealed.length > 0, customerTable.consuming.length]).toEqual([true, 1, true, 1]);
  });

  it('lookUp(dimTable, column, key, factValue) answers the dimension column; a missing key its default null value', async () => {
    const got = await ours("SELECT id, lookUp('customers', 'name', 'cid', customer), lookUp('customers', 'discount', 'cid', customer) FROM orders ORDER BY id LIMIT 1000");
    expect(got.types).toEqual(['LONG', 'STRING', 'DOUBLE']);
    expect(got.names[1]).toBe("lookup('customers','name','cid',customer)");
    // Pinot answers a STRING dimension's default null value 'null' and a DOUBLE metric's 0.0.
    expect(got.rows).toEqual(await reference("SELECT o.id, coalesce(c.name, 'null'), coalesce(c.discount, 0) FROM orders o LEFT JOIN customers c ON o.customer = c.cid ORDER BY o.id"));
  });

  it('lookUp with a composite primary key, in WHERE and GROUP BY', async () => {
    const got = await ours("SELECT country, sum(amount * lookUp('rates', 'rate', 'country', country, 'qty', qty)) FROM orders WHERE lookUp('rates', 'rate', 'country', country, 'qty', qty) > 0.25 GROUP BY country ORDER BY country LIMIT 10");
    expect(got.rows).toEqual(await reference('SELECT o.country, sum(o.amount * r.rate) FROM orders o JOIN rates r ON o.country = r.country AND o.qty = r.qty WHERE r.rate > 0.25 GROUP BY o.country ORDER BY o.country'));
  });

  it('INNER JOIN with aggregation, GROUP BY a dimension column, HAVING and ORDER BY', async () => {
    const sql = 'SELECT c.tier, count(*), sum(o.amount), max(c.discount) FROM orders o JOIN customers c ON o.customer = c.cid GROUP BY c.tier HAVING count(*) > 1 ORDER BY c.tier';
    const got = await ours(`${MS}${sql} LIMIT 10`);
    expect(got.names).toEqual(['tier', 'EXPR$1', 'EXPR$2', 'EXPR$3']);
    expect(got.types).toEqual(['STRING', 'LONG', 'DOUBLE', 'DOUBLE']);
    expect(got.rows).toEqual(await reference(sql));
  });

  it('LEFT JOIN keeps unmatched fact rows with NULL dimension columns', async () => {
    const rows = await ours(`${MS}SELECT o.id, c.name, c.discount, o.amount FROM orders o LEFT OUTER JOIN customers AS c ON c.cid = o.customer ORDER BY o.id LIMIT 1000`);
    expect(rows.names).toEqual(['id', 'name', 'discount', 'amount']);
    expect(rows.rows).toEqual(await reference('SELECT o.id, c.name, c.discount, o.amount FROM orders o LEFT JOIN customers c ON c.cid = o.customer ORDER BY o.id'));
    const counts = await ours(`${MS}SELECT count(*), count(c.cid) FROM orders o LEFT JOIN customers c ON o.customer = c.cid WHERE c.name IS NULL`);
    const [[unmatched]] = (await reference('SELECT count(*) FROM orders o LEFT JOIN customers c ON o.customer = c.cid WHERE c.name IS NULL')) as [[number]];
    expect(unmatched).toBeGreaterThan(0);
    expect(counts.rows[0]![0]).toBe(unmatched);
  });

  it('LEFT JOIN: aggregations over a dimension column skip the unmatched rows, as SQL skips NULLs', async () => {
    const sql = 'SELECT o.country, count(*), sum(c.discount), count(c.name), min(c.discount), count(DISTINCT c.name), avg(c.discount * o.amount) FROM orders o LEFT JOIN customers c ON o.customer = c.cid GROUP BY o.country ORDER BY o.country';
    const got = await ours(`${MS}${sql} LIMIT 10`);
    expect(got.types).toEqual(['STRING', 'LONG', 'DOUBLE', 'LONG', 'DOUBLE', 'INT', 'DOUBLE']);
    expect(got.rows).toEqual(await reference(sql));
  });

  it('LEFT JOIN grouped by a dimension column: the unmatched rows form the NULL group', async () => {
    const got = await ours(`${MS}SELECT c.tier AS tier, count(*) AS n, sum(o.amount) AS total FROM orders o LEFT JOIN customers c ON o.customer = c.cid GROUP BY tier ORDER BY n DESC LIMIT 10`);
    const ref = await reference('SELECT c.tier, count(*) AS n, sum(o.amount) FROM orders o LEFT JOIN customers c ON o.customer = c.cid GROUP BY c.tier ORDER BY n DESC');
    const byTier = (rows: unknown[][]): unknown[][] => [...rows].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(byTier(got.rows)).toEqual(byTier(ref));
  });

  it('JOIN with a WHERE over both tables, expressions over dimension columns, a composite key and the dimension table written first', async () => {
    const where = await ours(`${MS}SELECT o.country, count(*) AS n, sum(o.amount * (1 - c.discount)) AS net FROM orders o JOIN customers c ON o.customer = c.cid WHERE c.tier = 'gold' AND o.qty > 2 GROUP BY o.country ORDER BY o.country LIMIT 10`);
    expect(where.rows).toEqual(await reference("SELECT o.country, count(*), sum(o.amount * (1 - c.discount)) FROM orders o JOIN customers c ON o.customer = c.cid WHERE c.tier = 'gold' AND o.qty > 2 GROUP BY o.country ORDER BY o.country"));
    const composite = await ours(`${MS}SELECT r.rate, count(*) AS n FROM orders JOIN rates r ON orders.country = r.country AND orders.qty = r.qty GROUP BY r.rate ORDER BY r.rate LIMIT 100`);
    expect(composite.rows).toEqual(await reference('SELECT r.rate, count(*) FROM orders o JOIN rates r ON o.country = r.country AND o.qty = r.qty GROUP BY r.rate ORDER BY r.rate'));
    const swapped = await ours(`${MS}SELECT count(*) AS n FROM customers c JOIN orders o ON c.cid = o.customer`);
    expect(swapped.rows).toEqual(await reference('SELECT count(*) FROM customers c JOIN orders o ON c.cid = o.customer'));
  });

  it('the multi-stage option also works as a request queryOption', async () => {
    const r = await query('SELECT count(*) AS n FROM orders o JOIN customers c ON o.customer = c.cid', 'useMultistageEngine=true');
    expect(r.resultTable!.rows).toEqual(await reference('SELECT count(*) FROM orders o JOIN customers c ON o.customer = c.cid'));
  });
});

describe('dimension tables: errors', () => {
  const cases: [string, number, string][] = [
    ['SELECT count(*) FROM orders o JOIN customers c ON o.customer = c.cid', 450, 'V2 Multi-Stage query engine not enabled'],
    [`${MS}SELECT count(*) FROM orders o JOIN orders p ON o.id = p.id`, 720, 'neither orders nor orders is one'],
    [`${MS}SELECT count(*) FROM customers c LEFT JOIN orders o ON c.cid = o.customer`, 720, 'write orders LEFT JOIN customers'],
    [`${MS}SELECT count(*) FROM orders o JOIN customers c ON o.customer = c.name`, 720, 'primary key column of dimension table customers (cid)'],
    [`${MS}SELECT count(*) FROM orders o JOIN customers c ON o.customer > c.cid`, 720, 'AND of equalities'],
    [`${MS}SELECT count(*) FROM orders o RIGHT JOIN customers c ON o.customer = c.cid`, 720, 'a RIGHT JOIN'],
    [`${MS}SELECT count(*) FROM orders WHERE id IN (SELECT cid FROM customers)`, 720, 'a subquery'],
    [`${MS}SELECT qty FROM orders o JOIN rates r ON o.country = r.country AND o.qty = r.qty`, 720, "Column 'qty' is ambiguous"],
    [`${MS}SELECT x.name FROM orders o JOIN customers c ON o.customer = c.cid`, 720, "Table 'x' not found"],
    ["SELECT lookUp('orders', 'qty', 'id', id) FROM orders", 200, 'orders is not a dimension table'],
    ["SELECT lookUp('customers', 'name', 'name', country) FROM orders", 200, "must be dimension table customers's primary key columns"],
    ["SELECT lookUp('nope', 'name', 'cid', customer) FROM orders", 200, 'dimension table does not exist: nope'],
    ["SELECT lookUp('customers', 'nope', 'cid', customer) FROM orders", 200, 'column does not exist'],
    ["SELECT lookUp('customers', 'name', 'cid') FROM orders", 200, 'expects lookUp('],
  ];
  for (const [sql, code, text] of cases) {
    it(`${code}: ${sql}`, async () => {
      const r = await query(sql);
      expect(r.resultTable).toBeUndefined();
      expect(r.exceptions[0]?.errorCode).toBe(code);
      expect(r.exceptions[0]!.message).toContain(text);
    });
  }
});

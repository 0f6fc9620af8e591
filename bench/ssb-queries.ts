import type { BenchQuery } from './queries.js';

const day = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d);

const REGIONS_AMERICA = "C_REGION = 'AMERICA' AND S_REGION = 'AMERICA' AND P_MFGR IN ('MFGR#1', 'MFGR#2')";
const UK_CITIES = "C_CITY IN ('UNITED KI1', 'UNITED KI5') AND S_CITY IN ('UNITED KI1', 'UNITED KI5')";

/**
 * The Star Schema Benchmark's 13 queries over `lineorder_flat`, as ClickHouse writes them for its
 * flattened table, in Pinot SQL and DuckDB's dialect. `toYear(d)` is `year(d)` in both;
 * `toYYYYMM(d) = 199401` is `year(d) * 100 + month(d) = 199401`; Q1.3's `toISOWeek(d) = 6` (of
 * 1994) is the date range of that ISO week, 1994-02-07 .. 1994-02-13. Pinot needs an explicit
 * LIMIT (its default is 10), and ORDER BY gets tie-breakers so both engines order rows alike.
 */
export function ssbQueryList(): BenchQuery[] {
  const kind = 'ssb' as const;
  const q = (name: string, pinot: string, duckdb = pinot): BenchQuery => ({ name, kind, pinot, duckdb });
  return [
    q('Q1.1', 'SELECT sum(LO_EXTENDEDPRICE * LO_DISCOUNT) AS revenue FROM lineorder_flat WHERE year(LO_ORDERDATE) = 1993 AND LO_DISCOUNT BETWEEN 1 AND 3 AND LO_QUANTITY < 25'),
    q('Q1.2', 'SELECT sum(LO_EXTENDEDPRICE * LO_DISCOUNT) AS revenue FROM lineorder_flat WHERE year(LO_ORDERDATE) * 100 + month(LO_ORDERDATE) = 199401 AND LO_DISCOUNT BETWEEN 4 AND 6 AND LO_QUANTITY BETWEEN 26 AND 35'),
    q(
      'Q1.3',
      `SELECT sum(LO_EXTENDEDPRICE * LO_DISCOUNT) AS revenue FROM lineorder_flat WHERE LO_ORDERDATE BETWEEN ${day(1994, 2, 7)} AND ${day(1994, 2, 13)} AND year(LO_ORDERDATE) = 1994 AND LO_DISCOUNT BETWEEN 5 AND 7 AND LO_QUANTITY BETWEEN 26 AND 35`,
      "SELECT sum(LO_EXTENDEDPRICE * LO_DISCOUNT) AS revenue FROM lineorder_flat WHERE LO_ORDERDATE BETWEEN DATE '1994-02-07' AND DATE '1994-02-13' AND year(LO_ORDERDATE) = 1994 AND LO_DISCOUNT BETWEEN 5 AND 7 AND LO_QUANTITY BETWEEN 26 AND 35",
    ),
    q('Q2.1', "SELECT year(LO_ORDERDATE) AS y, P_BRAND, sum(LO_REVENUE) AS revenue FROM lineorder_flat WHERE P_CATEGORY = 'MFGR#12' AND S_REGION = 'AMERICA' GROUP BY y, P_BRAND ORDER BY y, P_BRAND LIMIT 10000"),
    q('Q2.2', "SELECT year(LO_ORDERDATE) AS y, P_BRAND, sum(LO_REVENUE) AS revenue FROM lineorder_flat WHERE P_BRAND BETWEEN 'MFGR#2221' AND 'MFGR#2228' AND S_REGION = 'ASIA' GROUP BY y, P_BRAND ORDER BY y, P_BRAND LIMIT 10000"),
    q('Q2.3', "SELECT year(LO_ORDERDATE) AS y, P_BRAND, sum(LO_REVENUE) AS revenue FROM lineorder_flat WHERE P_BRAND = 'MFGR#2239' AND S_REGION = 'EUROPE' GROUP BY y, P_BRAND ORDER BY y, P_BRAND LIMIT 10000"),
    q('Q3.1', "SELECT C_NATION, S_NATION, year(LO_ORDERDATE) AS y, sum(LO_REVENUE) AS revenue FROM lineorder_flat WHERE C_REGION = 'ASIA' AND S_REGION = 'ASIA' AND year(LO_ORDERDATE) BETWEEN 1992 AND 1997 GROUP BY C_NATION, S_NATION, y ORDER BY y ASC, revenue DESC, C_NATION, S_NATION LIMIT 10000"),
    q('Q3.2', "SELECT C_CITY, S_CITY, year(LO_ORDERDATE) AS y, sum(LO_REVENUE) AS revenue FROM lineorder_flat WHERE C_NATION = 'UNITED STATES' AND S_NATION = 'UNITED STATES' AND year(LO_ORDERDATE) BETWEEN 1992 AND 1997 GROUP BY C_CITY, S_CITY, y ORDER BY y ASC, revenue DESC, C_CITY, S_CITY LIMIT 10000"),
    q('Q3.3', `SELECT C_CITY, S_CITY, year(LO_ORDERDATE) AS y, sum(LO_REVENUE) AS revenue FROM lineorder_flat WHERE ${UK_CITIES} AND year(LO_ORDERDATE) BETWEEN 1992 AND 1997 GROUP BY C_CITY, S_CITY, y ORDER BY y ASC, revenue DESC, C_CITY, S_CITY LIMIT 10000`),
    q('Q3.4', `SELECT C_CITY, S_CITY, year(LO_ORDERDATE) AS y, sum(LO_REVENUE) AS revenue FROM lineorder_flat WHERE ${UK_CITIES} AND year(LO_ORDERDATE) * 100 + month(LO_ORDERDATE) = 199712 GROUP BY C_CITY, S_CITY, y ORDER BY y ASC, revenue DESC, C_CITY, S_CITY LIMIT 10000`),
    q('Q4.1', `SELECT year(LO_ORDERDATE) AS y, C_NATION, sum(LO_REVENUE - LO_SUPPLYCOST) AS profit FROM lineorder_flat WHERE ${REGIONS_AMERICA} GROUP BY y, C_NATION ORDER BY y, C_NATION LIMIT 10000`),
    q('Q4.2', `SELECT year(LO_ORDERDATE) AS y, S_NATION, P_CATEGORY, sum(LO_REVENUE - LO_SUPPLYCOST) AS profit FROM lineorder_flat WHERE ${REGIONS_AMERICA} AND year(LO_ORDERDATE) IN (1997, 1998) GROUP BY y, S_NATION, P_CATEGORY ORDER BY y, S_NATION, P_CATEGORY LIMIT 10000`),
    q('Q4.3', "SELECT year(LO_ORDERDATE) AS y, S_CITY, P_BRAND, sum(LO_REVENUE - LO_SUPPLYCOST) AS profit FROM lineorder_flat WHERE S_NATION = 'UNITED STATES' AND year(LO_ORDERDATE) IN (1997, 1998) AND P_CATEGORY = 'MFGR#14' GROUP BY y, S_CITY, P_BRAND ORDER BY y, S_CITY, P_BRAND LIMIT 10000"),
  ];
}

import type { BrokerResponse } from './broker-response.js';
import { asBrokerResponse, exceptionsText } from './broker-response.js';
import { showRows } from './cells.js';
import { compareCompat } from './compat-compare.js';
import type { CompatSuite } from './compat-suite.js';
import { realtimeConfig } from './compat-suite.js';
import type { Harness } from './harness.js';
import { parseJsonExact } from './json-exact.js';
import type { FileReport, QueryOutcome } from './report.js';

/** Queries using Pinot's JVM scripting function; shardtable must refuse them clearly. */
export function usesGroovy(sql: string): boolean {
  return /\bgroovy\s*\(/i.test(sql);
}

/**
 * A `groovy(...)` query passes when the response has an `exceptions` entry whose message names
 * groovy (a clear unsupported-function error) and no rows.
 */
export function checkGroovy(actual: BrokerResponse): { ok: boolean; reason?: string } {
  const ex = actual.exceptions ?? [];
  if (ex.length === 0) return { ok: false, reason: 'groovy(...) must be refused with an unsupported-function exception, got an answer' };
  if (!ex.some((e) => /groovy/i.test(e.message))) return { ok: false, reason: `exception does not name groovy: ${exceptionsText(actual)}` };
  if ((actual.resultTable?.rows.length ?? 0) > 0) return { ok: false, reason: 'exception and rows both present' };
  return { ok: true };
}

/** Creates the suite's tables as Kinesis-fed REALTIME tables and loads every record. */
export async function loadCompatTables(h: Harness, suite: CompatSuite): Promise<void> {
  await Promise.all(
    suite.tables.map(async (t) => {
      const stream = `compat-${t.name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`;
      await h.createStream(stream, t.shards);
      const config = realtimeConfig(t, h.kinesisStreamConfigs(stream, {}));
      await h.createSchemaAndTable(t.schema, config);
      const key = t.partitionColumn;
      await h.produce(stream, t.records, (r, i) => (key !== undefined ? String(r[key] ?? 'null') : `row-${i}`));
    }),
  );
  for (const t of suite.tables) await h.waitForRows(t.name, t.records.length);
}

/** Runs every query of every file and compares with the expected line. */
export async function runCompatQueries(h: Harness, suite: CompatSuite): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  for (const file of suite.queryFiles) {
    const outcomes: QueryOutcome[] = [];
    for (const q of file.queries) {
      const actual = await h.query(q.sql);
      const base = { file: file.queryFile, line: q.line, sql: q.sql };
      if (usesGroovy(q.sql)) {
        const v = checkGroovy(actual);
        outcomes.push({ ...base, ...v, ...(v.ok ? {} : { expected: 'an exceptions entry naming groovy', actual: describe(actual) }) });
        continue;
      }
      const expected = asBrokerResponse(parseJsonExact(q.expected));
      const v = compareCompat(q.sql, expected, actual);
      outcomes.push({ ...base, ok: v.ok, ...(v.reason !== undefined ? { reason: v.reason } : {}), ...(v.ok ? {} : { expected: describe(expected), actual: describe(actual) }) });
    }
    reports.push({ file: file.queryFile, outcomes });
  }
  return reports;
}

export function describe(r: BrokerResponse): string {
  const ex = (r.exceptions ?? []).length > 0 ? ` exceptions=[${exceptionsText(r)}]` : '';
  const schema = r.resultTable ? `${JSON.stringify(r.resultTable.dataSchema.columnNames)} ${JSON.stringify(r.resultTable.dataSchema.columnDataTypes)} ` : '';
  return `${schema}${showRows(r.resultTable?.rows)}${ex}`;
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, QueryError, ShardtableError, isQueryErrorEntry } from '../../src/errors.js';
import type { QueryErrorEntry, ServerErrorEntry } from '../../src/errors.js';

const doc = readFileSync(join(import.meta.dirname, '../../docs/errors.md'), 'utf8');

/** The table rows of the docs section under the `## ` heading that starts with `heading`. */
function sectionRows(heading: string): string[] {
  const sections = doc.split(/^## /m).slice(1);
  const section = sections.find((s) => s.startsWith(heading));
  expect(section, `docs/errors.md has no section "## ${heading}"`).toBeDefined();
  return section!.split('\n').filter((line) => line.startsWith('| '));
}

const serverRows = sectionRows('Server and controller errors');
const queryRows = sectionRows('Query errors');
const entries = Object.entries(ERRORS) as [string, ServerErrorEntry | QueryErrorEntry][];
const serverEntries = entries.filter((e): e is [string, ServerErrorEntry] => !isQueryErrorEntry(e[1]));
const queryEntries = entries.filter((e): e is [string, QueryErrorEntry] => isQueryErrorEntry(e[1]));

describe('error catalogue: server errors', () => {
  it('documents every code in docs/errors.md with its name and status', () => {
    for (const [name, entry] of serverEntries) {
      const row = serverRows.find((line) => line.startsWith(`| ${entry.code} |`));
      expect(row, `${entry.code} (${name}) is not in the server section of docs/errors.md`).toBeDefined();
      expect(row).toContain(`| \`${name}\` |`);
      expect(row).toContain(`| ${entry.status} |`);
    }
  });

  it('documents no code that does not exist, and none twice', () => {
    const codes = new Set<string>(serverEntries.map(([, e]) => e.code));
    const documented = serverRows.map((line) => /^\| (ST\d{3}) \|/.exec(line)?.[1]).filter((c) => c !== undefined);
    for (const code of documented) expect(codes.has(code), `${code} is documented but not in ERRORS`).toBe(true);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('never reuses a code', () => {
    const codes = serverEntries.map(([, e]) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^ST\d{3}$/);
  });

  it('renders message templates and carries code and status', () => {
    const error = new ShardtableError('SCHEMA_IN_USE', { name: 'events', table: 'clicks' });
    expect(error.message).toBe('schema events is used by table clicks; delete the table first');
    expect(error.code).toBe('ST008');
    expect(error.status).toBe(409);
    expect(new ShardtableError('TABLE_NOT_FOUND').message).toBe('table {name} does not exist');
  });
});

describe('error catalogue: query errors', () => {
  it('documents every errorCode in docs/errors.md with its name and Pinot name', () => {
    expect(queryEntries.length).toBeGreaterThan(0);
    for (const [name, entry] of queryEntries) {
      const row = queryRows.find((line) => line.startsWith(`| ${entry.errorCode} |`));
      expect(row, `${entry.errorCode} (${name}) is not in the query section of docs/errors.md`).toBeDefined();
      expect(row).toContain(`| \`${name}\` |`);
      expect(row).toContain(`| ${entry.pinotName} |`);
    }
  });

  it('documents no errorCode that does not exist, and none twice', () => {
    const codes = new Set<number>(queryEntries.map(([, e]) => e.errorCode));
    const documented = queryRows.map((line) => /^\| (\d+) \|/.exec(line)?.[1]).filter((c) => c !== undefined).map(Number);
    for (const code of documented) expect(codes.has(code), `${code} is documented but not in ERRORS`).toBe(true);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('never reuses an errorCode or a Pinot name', () => {
    const codes = queryEntries.map(([, e]) => e.errorCode);
    expect(new Set(codes).size).toBe(codes.length);
    const pinotNames = queryEntries.map(([, e]) => e.pinotName);
    expect(new Set(pinotNames).size).toBe(pinotNames.length);
    // Pinot's names end in Error, but for 427 (ServerNotResponding), kept as Pinot spells it.
    for (const name of pinotNames) if (name !== 'ServerNotResponding') expect(name).toMatch(/^[A-Z][A-Za-z]+Error$/);
  });

  it("renders Pinot's message shape: the Pinot name, a newline, the template", () => {
    const unknown = new QueryError('UNKNOWN_COLUMN', { column: 'nope', table: 'events' });
    expect(unknown.errorCode).toBe(710);
    expect(unknown.kind).toBe('UNKNOWN_COLUMN');
    expect(unknown.message).toBe("UnknownColumnError:\nUnknown column 'nope' in table events");
    expect(new QueryError('QUERY_VALIDATION', 'DISTINCT cannot be combined with GROUP BY').message).toBe(
      'QueryValidationError:\nDISTINCT cannot be combined with GROUP BY',
    );
  });

  it('gives "table not running" the same text from the controller (503) and the broker (410)', () => {
    const params = { name: 'events', detail: 'stream events-stream was deleted' };
    const controller = new ShardtableError('TABLE_NOT_RUNNING', params);
    const broker = new QueryError('BROKER_RESOURCE_MISSING', params);
    expect(controller.status).toBe(503);
    expect(broker.errorCode).toBe(410);
    expect(broker.message).toBe(`BrokerResourceMissingError:\n${controller.message}`);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, ShardtableError } from '../../src/errors.js';

const doc = readFileSync(join(import.meta.dirname, '../../docs/errors.md'), 'utf8');

describe('error catalogue', () => {
  it('documents every code in docs/errors.md with its name and status', () => {
    for (const [name, entry] of Object.entries(ERRORS)) {
      const row = doc.split('\n').find((line) => line.includes(`| ${entry.code} |`));
      expect(row, `${entry.code} (${name}) is not in docs/errors.md`).toBeDefined();
      expect(row).toContain(`\`${name}\``);
      expect(row).toContain(`| ${entry.status} |`);
    }
  });

  it('documents no code that does not exist', () => {
    const codes = new Set<string>(Object.values(ERRORS).map((e) => e.code));
    const documented = [...doc.matchAll(/\| (ST\d{3}) \|/g)].map((m) => m[1]!);
    for (const code of documented) expect(codes.has(code), `${code} is documented but not in ERRORS`).toBe(true);
  });

  it('never reuses a code', () => {
    const codes = Object.values(ERRORS).map((e) => e.code);
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

/** Per-query outcomes and the summary text every runner prints. */
export interface QueryOutcome {
  readonly file: string;
  /** 1-based line in the query file. */
  readonly line: number;
  readonly sql: string;
  readonly ok: boolean;
  readonly reason?: string;
  /** Expected / reference answer and actual answer, shown for failures. */
  readonly expected?: string;
  readonly actual?: string;
  /** Set when the query is a documented Pinot/H2 difference (the check was the difference). */
  readonly knownDifference?: string;
}

export interface FileReport {
  readonly file: string;
  readonly outcomes: QueryOutcome[];
}

export function counts(outcomes: readonly QueryOutcome[]): { passed: number; failed: number } {
  const passed = outcomes.filter((o) => o.ok).length;
  return { passed, failed: outcomes.length - passed };
}

/** `file: N passed, N failed` per file, then every failure with query, expected and actual. */
export function formatReport(files: readonly FileReport[], opts: { maxFailures?: number } = {}): string {
  const lines: string[] = [];
  for (const f of files) {
    const c = counts(f.outcomes);
    const known = f.outcomes.filter((o) => o.knownDifference !== undefined).length;
    lines.push(`${f.file}: ${c.passed} passed, ${c.failed} failed${known > 0 ? ` (${known} checked as documented Pinot/H2 differences)` : ''}`);
  }
  const failures = files.flatMap((f) => f.outcomes.filter((o) => !o.ok));
  const max = opts.maxFailures ?? Infinity;
  for (const o of failures.slice(0, max)) {
    lines.push('', `FAIL ${o.file}:${o.line}: ${o.sql}`, `  why:      ${o.reason ?? ''}`);
    if (o.expected !== undefined) lines.push(`  expected: ${o.expected}`);
    if (o.actual !== undefined) lines.push(`  actual:   ${o.actual}`);
  }
  if (failures.length > max) lines.push('', `… and ${failures.length - max} more failures`);
  return lines.join('\n');
}

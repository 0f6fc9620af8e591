/**
 * Crash injection for the exactly-once tests. A named point in a critical path calls
 * `faultPoint('seal:before-rename')`; when the environment variable
 * `SHARDTABLE_FAULT_POINT=<name>:<n>` names it, the n-th time the point is reached the process
 * kills itself with SIGKILL — the same as a power cut at that line. Unset (always, outside the
 * crash tests) it costs one comparison.
 */
const spec = parse(process.env.SHARDTABLE_FAULT_POINT);
let hits = 0;

function parse(value: string | undefined): { name: string; count: number } | null {
  if (!value) return null;
  const colon = value.lastIndexOf(':');
  const name = value.slice(0, colon);
  const n = Number(value.slice(colon + 1));
  return colon > 0 && Number.isInteger(n) && n > 0 ? { name, count: n } : null;
}

export function faultPoint(name: string): void {
  if (spec === null || spec.name !== name) return;
  hits++;
  if (hits >= spec.count) process.kill(process.pid, 'SIGKILL');
}

/**
 * Failure injection for tests, in this thread only: after `injectFailure('zstd:load', err, n)`,
 * the next n calls of `failurePoint('zstd:load')` throw `err` — a transient failure (EMFILE) at a
 * named point, without touching the environment. Nothing is injected outside tests; then a
 * failure point costs one map lookup.
 *
 * @example
 *   injectFailure('zstd:load', Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' }), 2);
 */
const injected = new Map<string, { error: unknown; left: number }>();

export function injectFailure(name: string, error: unknown, times = 1): void {
  if (times > 0) injected.set(name, { error, left: times });
  else injected.delete(name);
}

/** Throws the failure injected at `name`, while any is left (see `injectFailure`). */
export function failurePoint(name: string): void {
  const entry = injected.get(name);
  if (entry === undefined) return;
  if (--entry.left <= 0) injected.delete(name);
  throw entry.error;
}

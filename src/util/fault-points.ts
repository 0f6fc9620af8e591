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

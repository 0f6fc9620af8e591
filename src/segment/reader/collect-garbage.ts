import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collector: (() => void) | null | undefined;

/**
 * Runs a full garbage collection now, through V8's `gc` (exposed at first use: `--expose-gc` set at
 * run time applies to contexts made after it). False when it cannot be exposed. For the few moments
 * a lot of memory becomes garbage at once (a large query's reservation released): V8 paces its
 * collections by its own heap and a fixed step of outside memory, so without it that garbage stays
 * until the cache has refilled beside it, and the process's resident size keeps both.
 */
export function collectGarbage(): boolean {
  if (collector === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as unknown;
      collector = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      collector = null;
    }
  }
  if (collector === null) return false;
  collector();
  return true;
}

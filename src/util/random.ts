/**
 * A deterministic pseudo-random generator (mulberry32): numbers in [0, 1), the same sequence for
 * the same seed (its low 32 bits), so generated data can be replayed. Small and fast; not for
 * anything that needs unpredictability.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A deterministic pseudo-random generator (mulberry32) for tests: the one in src/util, so a
 * generated test case can be replayed from its seed.
 */
export { mulberry32 } from '../../src/util/random.js';

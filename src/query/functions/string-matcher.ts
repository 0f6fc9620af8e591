/**
 * A compiled string predicate: LIKE patterns, regexes and TEXT_MATCH queries all become one, at
 * planning, so the filter tests values without knowing which it is. `test` must take time
 * linear in the text (times the pattern's size), never exponential.
 */
export interface StringMatcher {
  test(text: string): boolean;
}

/**
 * A compiled string predicate: LIKE patterns, regexes and TEXT_MATCH queries all become one, at
 * planning, so the filter tests values without knowing which it is. `test` must take time
 * linear in the text (times the pattern's size), never exponential.
 */
export interface StringMatcher {
  test(text: string): boolean;
  /**
   * Set when the matcher passes exactly the texts starting with this prefix (`LIKE 'abc%'`): a
   * range of a sorted dictionary, `[prefix, the next prefix)` in UTF-16 code unit order.
   */
  readonly prefix?: string;
  /** Set when the matcher passes exactly this one text (`LIKE 'abc'`, no wildcard). */
  readonly equals?: string;
}

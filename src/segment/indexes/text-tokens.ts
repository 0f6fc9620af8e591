/**
 * The tokens of a text as TEXT_MATCH sees them, at seal (the text index) and at query time (the
 * scan): lower-cased runs of letters and digits, as Lucene's StandardAnalyzer splits the common
 * cases (`C++` is `c`; no stop words, no stemming). One function for both, so an indexed segment
 * and a scanned one answer alike.
 *
 * @example
 *   tokenizeText('Java and C++ devs') // ['java', 'and', 'c', 'devs']
 */
export function tokenizeText(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * `TEXT_MATCH(column, 'query')` (a sealed segment's text index answers the same query from
 * `query/text-match/text-index-eval.ts`; this is the scan): the column text is tokenised as Lucene's
 * StandardAnalyzer does for these cases (lower-cased runs of letters and digits, so `C++` is `c`)
 * and the query is evaluated per row. Supported query syntax: terms, `AND` / `OR` / `NOT`,
 * implicit OR between clauses, parentheses, "phrases", prefix (`go*`) and wildcard (`g?lang`)
 * terms, and `/regex/` terms (RE2 syntax, whole-token match, as Lucene's RegexpQuery).
 */
import { tokenizeText } from '../../segment/indexes/text-tokens.js';
import { compileSqlRegex } from './sql-regex.js';
import type { StringMatcher } from './string-matcher.js';
import { wildcardMatcher } from './wildcard-pattern.js';

export type { StringMatcher };
export { tokenizeText };

/** A parsed text_match query; a `term` with `token` matches exactly that token (else by `test`). */
export type TextQueryNode =
  | { kind: 'term'; test: (token: string) => boolean; token?: string }
  | { kind: 'phrase'; words: string[] }
  | { kind: 'and' | 'or'; children: TextQueryNode[] }
  | { kind: 'not'; child: TextQueryNode };
type Node = TextQueryNode;

function lex(query: string): string[] {
  const out: string[] = [];
  // `[^/\\]` (not `[^/]`) so that a run of backslashes has one parse: no backtracking blow-up.
  const re = /\s*("[^"]*"|\/(?:\\[\s\S]|[^/\\])*\/|\(|\)|[^\s()"]+)/gy;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(query)) !== null) {
    out.push(m[1]!);
    pos = re.lastIndex;
  }
  if (query.slice(pos).trim() !== '') throw new Error(`text_match query '${query}' cannot be parsed near '${query.slice(pos)}'`);
  return out;
}

function termNode(word: string): Node {
  if (word.startsWith('/') && word.endsWith('/') && word.length > 1) {
    const re = compileSqlRegex(word.slice(1, -1), 'text_match');
    return { kind: 'term', test: (t) => re.testWhole(t) };
  }
  if (/[*?]/.test(word)) {
    const m = wildcardMatcher(word.toLowerCase(), '*', '?');
    return { kind: 'term', test: (t) => m.test(t) };
  }
  const tokens = tokenizeText(word);
  if (tokens.length === 1) return { kind: 'term', token: tokens[0]!, test: (t) => t === tokens[0] };
  return { kind: 'phrase', words: tokens };
}

/** Deepest NOT / parenthesis nesting in a text_match query (the parser recurses on both). */
const MAX_TEXT_QUERY_DEPTH = 100;

function parse(tokens: string[]): Node {
  let i = 0;
  let depth = 0;
  const parseOr = (): Node => {
    const children: Node[] = [parseAnd()];
    while (i < tokens.length && tokens[i] !== ')') {
      if (tokens[i] === 'OR') i++;
      children.push(parseAnd());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  };
  const parseAnd = (): Node => {
    const children: Node[] = [parseUnary()];
    while (tokens[i] === 'AND') {
      i++;
      children.push(parseUnary());
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  };
  const parseUnary = (): Node => {
    const t = tokens[i++];
    if (t === undefined) throw new Error('text_match query ends unexpectedly');
    if (t === 'NOT' || t === '(') {
      if (++depth > MAX_TEXT_QUERY_DEPTH) throw new Error(`text_match query nested deeper than ${MAX_TEXT_QUERY_DEPTH} levels`);
      try {
        if (t === 'NOT') return { kind: 'not', child: parseUnary() };
        const inner = parseOr();
        if (tokens[i++] !== ')') throw new Error("text_match query misses ')'");
        return inner;
      } finally {
        depth--;
      }
    }
    if (t.startsWith('"')) return { kind: 'phrase', words: tokenizeText(t.slice(1, -1)) };
    return termNode(t);
  };
  const root = parseOr();
  if (i < tokens.length) throw new Error(`text_match query has an unexpected '${tokens[i]}'`);
  return root;
}

/** Whether a doc with these tokens matches `node` (the scan). */
export function matchesTokens(node: Node, tokens: string[]): boolean {
  switch (node.kind) {
    case 'term':
      return tokens.some(node.test);
    case 'phrase': {
      const w = node.words;
      if (w.length === 0) return false;
      for (let i = 0; i + w.length <= tokens.length; i++) if (w.every((x, k) => tokens[i + k] === x)) return true;
      return false;
    }
    case 'and':
      return node.children.every((c) => matchesTokens(c, tokens));
    case 'or':
      return node.children.some((c) => matchesTokens(c, tokens));
    case 'not':
      return !matchesTokens(node.child, tokens);
  }
}

/**
 * The string matcher `TEXT_MATCH(col, query)` binds to: `test` tokenises the text and evaluates
 * the query (any segment); `textQuery` lets the filter answer it from a sealed segment's text index.
 */
export interface TextMatcher extends StringMatcher {
  readonly textQuery: TextQueryNode;
}

/** Compiles a text_match query; throws `Error` naming the problem when it cannot be parsed. */
export function textMatcher(query: string): TextMatcher {
  const root = parse(lex(query));
  return { textQuery: root, test: (text) => matchesTokens(root, tokenizeText(text)) };
}

export function isTextMatcher(m: StringMatcher): m is TextMatcher {
  return (m as Partial<TextMatcher>).textQuery !== undefined;
}

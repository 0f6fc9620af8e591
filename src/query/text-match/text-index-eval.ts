import type { TextIndexReader } from '../../segment/indexes/text-index.js';
import { tokenizeText } from '../../segment/indexes/text-tokens.js';
import type { TextQueryNode } from '../functions/text-match.js';
import { matchesTokens } from '../functions/text-match.js';

/**
 * Sorted doc ids of a segment matching a TEXT_MATCH query, from the column's text index: a term
 * is its doc list; a prefix, wildcard or regex term the union over the terms it matches (the
 * term dictionary is read, not the docs); AND / OR / NOT are set operations over the segment's
 * docs. A phrase narrows to the docs holding all its words, then checks each of those docs' text
 * (`textOf`) as the scan does; `checked` counts those reads. The answer equals the scan's: the
 * index holds the same tokens the scan computes.
 */
export function textIndexDocs(root: TextQueryNode, index: TextIndexReader, numDocs: number, textOf: (doc: number) => string): { docs: Uint32Array; checked: number } {
  let checked = 0;
  const withTerm = (hit: Uint8Array, i: number): void => {
    for (const d of index.docs(i)) hit[d] = 1;
  };
  const evaluate = (node: TextQueryNode): Uint8Array => {
    const hit = new Uint8Array(numDocs);
    switch (node.kind) {
      case 'term': {
        if (node.token !== undefined) {
          const i = index.find(node.token);
          if (i >= 0) withTerm(hit, i);
        } else {
          for (let i = 0; i < index.numTerms; i++) if (node.test(index.term(i))) withTerm(hit, i);
        }
        return hit;
      }
      case 'phrase': {
        const w = node.words;
        if (w.length === 0) return hit;
        const lists = w.map((word) => index.find(word));
        if (lists.some((i) => i < 0)) return hit;
        const count = new Uint16Array(numDocs);
        const distinct = [...new Set(lists)];
        for (const i of distinct) for (const d of index.docs(i)) count[d]!++;
        for (let d = 0; d < numDocs; d++) {
          if (count[d] !== distinct.length) continue;
          checked++;
          if (w.length === 1 || matchesTokens(node, tokenizeText(textOf(d)))) hit[d] = 1;
        }
        return hit;
      }
      case 'and': {
        const [first, ...rest] = node.children.map(evaluate);
        for (const other of rest) for (let d = 0; d < numDocs; d++) first![d]! &= other[d]!;
        return first!;
      }
      case 'or': {
        for (const child of node.children.map(evaluate)) for (let d = 0; d < numDocs; d++) hit[d]! |= child[d]!;
        return hit;
      }
      case 'not': {
        const inner = evaluate(node.child);
        for (let d = 0; d < numDocs; d++) hit[d] = inner[d]! ^ 1;
        return hit;
      }
    }
  };
  const hit = evaluate(root);
  let n = 0;
  for (let d = 0; d < numDocs; d++) n += hit[d]!;
  const docs = new Uint32Array(n);
  n = 0;
  for (let d = 0; d < numDocs; d++) if (hit[d] === 1) docs[n++] = d;
  return { docs, checked };
}

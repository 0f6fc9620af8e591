import type { ServedSegment } from '../../query/index.js';

/** What one server said it serves for a table. */
export interface ServerSegments {
  readonly serverId: string;
  readonly segments: readonly ServedSegment[];
}

/** FNV-1a over the UTF-16 code units of `text`: a stable 32-bit hash. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Routes each segment to exactly one of the servers that serve it, deterministically: the copy
 * with the most rows wins (a consuming copy that sealed elsewhere in between has fewer), and among
 * equal copies the highest rendezvous hash of (server, segment), so segments held by several
 * servers spread over them and the choice does not move when an unrelated server comes or goes.
 * Answers each server's segments in name order; servers that get none are left out.
 */
export function routeSegments(listings: readonly ServerSegments[]): Map<string, string[]> {
  const best = new Map<string, { serverId: string; numDocs: number; hash: number }>();
  for (const { serverId, segments } of listings) {
    for (const s of segments) {
      const hash = fnv1a(`${serverId}\u0000${s.name}`);
      const current = best.get(s.name);
      const wins =
        current === undefined ||
        s.numDocs > current.numDocs ||
        (s.numDocs === current.numDocs && (hash > current.hash || (hash === current.hash && serverId < current.serverId)));
      if (wins) best.set(s.name, { serverId, numDocs: s.numDocs, hash });
    }
  }
  const routes = new Map<string, string[]>();
  for (const [name, { serverId }] of [...best.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let list = routes.get(serverId);
    if (list === undefined) routes.set(serverId, (list = []));
    list.push(name);
  }
  return routes;
}

import { QueryError } from '../query-error.js';

/** Rows a response may carry at most; a larger LIMIT (+ OFFSET) is rejected with 700. */
export const MAX_RESPONSE_ROWS = 1_000_000;
/**
 * Default `numGroupsLimit`, per segment as in Pinot. Pinot's default is 100,000; shardtable's is
 * ten times that, so that a query over a million groups answers exactly (segments rarely hold
 * more than a million rows); docs/query.md, "Group limits".
 */
export const DEFAULT_NUM_GROUPS_LIMIT = 1_000_000;
/** Highest `numGroupsLimit` a query may ask for (bounds the memory one query can take). */
export const MAX_NUM_GROUPS_LIMIT = 10_000_000;
/** Pinot's default broker timeout. */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_TIMEOUT_MS = 600_000;

/** The query options shardtable acts on; others Pinot knows are accepted and ignored. */
export interface QueryOptions {
  readonly timeoutMs: number;
  readonly numGroupsLimit: number;
  /** `explainPlanVerbose=true`: EXPLAIN lists every distinct segment plan, not just the largest. */
  readonly explainPlanVerbose: boolean;
  /** Upsert tables: read every row, not only each key's live one (`skipUpsert=true`). */
  readonly skipUpsert: boolean;
  /** Upsert tables: include deleted keys' last rows (`skipUpsertDelete=true`). */
  readonly skipUpsertDelete: boolean;
  /** The client's own id for the query (`clientQueryId`), echoed as `clientRequestId`; null when not given. */
  readonly clientQueryId: string | null;
  /** `useStarTree=false`: never answer from a star-tree (sealed segments scan). */
  readonly useStarTree: boolean;
}

function booleanOption(key: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new QueryError('QUERY_VALIDATION', `query option ${key}=${value} must be true or false`);
}

/** Parses the `queryOptions` request field: `timeoutMs=100;numGroupsLimit=10`. */
export function parseQueryOptionsString(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(';')) {
    const t = part.trim();
    if (t === '') continue;
    const eq = t.indexOf('=');
    if (eq <= 0) throw new QueryError('QUERY_VALIDATION', `query option '${t}' is not key=value`);
    out.set(t.slice(0, eq).trim(), t.slice(eq + 1).trim());
  }
  return out;
}

function positiveInt(key: string, value: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new QueryError('QUERY_VALIDATION', `query option ${key}=${value} must be a positive integer`);
  }
  if (n > max) throw new QueryError('QUERY_VALIDATION', `query option ${key}=${value} is above the maximum of ${max}`);
  return n;
}

/** Resolves options (SET statements win over request `queryOptions`), keys case-insensitive. */
export function resolveQueryOptions(...sources: ReadonlyMap<string, string>[]): QueryOptions {
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  let numGroupsLimit = DEFAULT_NUM_GROUPS_LIMIT;
  let explainPlanVerbose = false;
  let skipUpsert = false;
  let skipUpsertDelete = false;
  let clientQueryId: string | null = null;
  let useStarTree = true;
  for (const source of sources) {
    for (const [key, value] of source) {
      switch (key.toLowerCase()) {
        case 'timeoutms':
          timeoutMs = positiveInt(key, value, MAX_TIMEOUT_MS);
          break;
        case 'numgroupslimit':
          numGroupsLimit = positiveInt(key, value, MAX_NUM_GROUPS_LIMIT);
          break;
        case 'explainplanverbose':
          explainPlanVerbose = value.trim().toLowerCase() === 'true';
          break;
        case 'skipupsert':
          skipUpsert = booleanOption(key, value);
          break;
        case 'skipupsertdelete':
          skipUpsertDelete = booleanOption(key, value);
          break;
        case 'usestartree':
          useStarTree = booleanOption(key, value);
          break;
        case 'clientqueryid':
          clientQueryId = value;
          break;
        default:
          break;
      }
    }
  }
  return { timeoutMs, numGroupsLimit, explainPlanVerbose, skipUpsert, skipUpsertDelete, clientQueryId, useStarTree };
}

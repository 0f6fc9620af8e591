import { ARRAY_FUNCTIONS } from './array-functions.js';
import { BINARY_FUNCTIONS } from './binary-functions.js';
import { GEO_FUNCTIONS } from './geo-functions.js';
import { H3_FUNCTIONS } from './geo-h3.js';
import { TYPED_ARRAY_FUNCTIONS } from './typed-array-functions.js';
import { WEB_FUNCTIONS } from './web-functions.js';
import { WEEK_FUNCTIONS } from './week-functions.js';
import type { ScalarFunction } from './function-types.js';
import { JSON_FUNCTIONS } from './json-functions.js';
import { JSON_EXTRACT_INDEX_FUNCTION } from '../json-match/json-extract-index.js';
import { MATH_FUNCTIONS } from './math-functions.js';
import { STRING_FUNCTIONS } from './string-functions.js';
import { TIME_FUNCTIONS } from './time-functions.js';

/** Pinot's canonical function name: lower case, underscores removed (`json_extract_scalar` = `jsonExtractScalar`). */
export function canonicalFunctionName(name: string): string {
  return name.toLowerCase().replaceAll('_', '');
}

/**
 * Functions that exist in Pinot but that shardtable deliberately does not run, with the reason
 * given to the user (code 200, "unsupported function").
 */
export const UNSUPPORTED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['groovy', 'groovy() runs JVM Groovy scripts, which shardtable does not execute; rewrite the expression with built-in functions (CASE WHEN, arithmetic, string functions)'],
]);

/**
 * The scalar function registry: canonical name (and aliases) → typed signature and
 * implementation. Shared by the query engine and ingestion transforms.
 *
 * @example
 *   const fn = scalarFunction('toEpochDays'); // { name: 'toepochdays', minArgs: 1, … }
 */
export class ScalarFunctionRegistry {
  private readonly byName = new Map<string, ScalarFunction>();

  constructor(functions: readonly ScalarFunction[]) {
    for (const fn of functions) this.register(fn);
  }

  register(fn: ScalarFunction): void {
    for (const name of [fn.name, ...(fn.aliases ?? [])]) {
      const key = canonicalFunctionName(name);
      if (this.byName.has(key)) throw new Error(`scalar function ${key} registered twice`);
      this.byName.set(key, fn);
    }
  }

  get(name: string): ScalarFunction | undefined {
    return this.byName.get(canonicalFunctionName(name));
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}

export const SCALAR_FUNCTIONS = new ScalarFunctionRegistry([...MATH_FUNCTIONS, ...STRING_FUNCTIONS, ...JSON_FUNCTIONS, JSON_EXTRACT_INDEX_FUNCTION, ...TIME_FUNCTIONS, ...ARRAY_FUNCTIONS, ...TYPED_ARRAY_FUNCTIONS, ...BINARY_FUNCTIONS, ...WEEK_FUNCTIONS, ...WEB_FUNCTIONS, ...GEO_FUNCTIONS, ...H3_FUNCTIONS]);

export function scalarFunction(name: string): ScalarFunction | undefined {
  return SCALAR_FUNCTIONS.get(name);
}

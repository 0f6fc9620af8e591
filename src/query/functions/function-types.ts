import type { DataType, ScalarValue } from '../../config/data-type.js';

/** The type of an expression: Pinot data type and single- or multi-value. */
export interface ExprType {
  readonly dataType: DataType;
  readonly sv: boolean;
}

export const sv = (dataType: DataType): ExprType => ({ dataType, sv: true });
export const mv = (dataType: DataType): ExprType => ({ dataType, sv: false });

/** What a function knows about one argument at plan time. */
export interface ArgInfo {
  readonly type: ExprType;
  /** True when the argument is a literal; `literal` then holds its value. */
  readonly isLiteral: boolean;
  readonly literal: ScalarValue | null;
}

/** What an argument position accepts; checked before `returnType` is asked. */
export type ArgKind = 'any' | 'numeric' | 'string' | 'mv' | 'sv' | 'literal';

/**
 * A scalar function: typed signature plus implementation. Registered once in `registry.ts` and
 * shared by the query engine and (later) ingestion transforms.
 *
 * @example
 *   const upper: ScalarFunction = { name: 'upper', minArgs: 1, maxArgs: 1, args: ['string'],
 *     returnType: () => sv('STRING'), build: () => (s: string) => s.toUpperCase() };
 */
export interface ScalarFunction {
  /** Canonical name: lower case, no underscores (what Pinot prints in result column names). */
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly minArgs: number;
  /** `Infinity` for variadic functions. */
  readonly maxArgs: number;
  /** Accepted kind per argument position; the last entry repeats. Omitted = any. */
  readonly args?: readonly ArgKind[];
  /** The result type; throws `Error` with a message naming the bad argument. */
  returnType(args: readonly ArgInfo[]): ExprType;
  /**
   * Returns the per-row implementation. Literal arguments are known here, so patterns and
   * formats are compiled once. Row values arrive in the in-memory representation of their type
   * (`config/data-type.ts`), arrays for multi-value arguments; the result must be in the
   * representation of `returnType`.
   */
  build(args: readonly ArgInfo[]): (...values: any[]) => unknown;
}

/**
 * The SQL syntax tree the parser produces: a discriminated union on `kind`. Every stage that
 * walks it (binder, naming) dispatches through an exhaustive table typed on `Expr['kind']`, so a
 * new node kind that a stage forgets is a compile error. Generic walks (alias resolution,
 * "contains an aggregation") go through `childrenOf` / `mapChildren` in `ast-children.ts`.
 *
 * Positions (`pos`) are 0-based character offsets into the SQL text, for error messages.
 */

export type Literal =
  | { readonly type: 'string'; readonly text: string }
  /** Numeric literal as written (`42`, `-1.5`, `1e3`); converted when bound to a type. */
  | { readonly type: 'number'; readonly text: string }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'null' };

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';
export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Expr =
  /** `qualifier` is the table or alias of `t.col` (used to resolve joins; one-table queries ignore it). */
  | { readonly kind: 'column'; readonly name: string; readonly pos: number; readonly qualifier?: string }
  | { readonly kind: 'star'; readonly pos: number }
  | { readonly kind: 'literal'; readonly value: Literal; readonly pos: number }
  /**
   * `filter` is an aggregation's `FILTER (WHERE …)` clause, null when absent; `withinGroup` its
   * `WITHIN GROUP (ORDER BY …)` (LISTAGG), absent when not written.
   */
  | {
      readonly kind: 'call';
      readonly name: string;
      readonly args: readonly Expr[];
      readonly distinct: boolean;
      readonly filter: Expr | null;
      readonly withinGroup?: readonly OrderItem[];
      readonly pos: number;
    }
  | { readonly kind: 'arithmetic'; readonly op: ArithmeticOp; readonly left: Expr; readonly right: Expr; readonly pos: number }
  | { readonly kind: 'negate'; readonly operand: Expr; readonly pos: number }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Expr; readonly right: Expr; readonly pos: number }
  | { readonly kind: 'and'; readonly operands: readonly Expr[]; readonly pos: number }
  | { readonly kind: 'or'; readonly operands: readonly Expr[]; readonly pos: number }
  | { readonly kind: 'not'; readonly operand: Expr; readonly pos: number }
  | { readonly kind: 'between'; readonly operand: Expr; readonly low: Expr; readonly high: Expr; readonly negated: boolean; readonly pos: number }
  | { readonly kind: 'in'; readonly operand: Expr; readonly values: readonly Expr[]; readonly negated: boolean; readonly pos: number }
  | { readonly kind: 'like'; readonly operand: Expr; readonly pattern: Expr; readonly negated: boolean; readonly pos: number }
  | { readonly kind: 'isNull'; readonly operand: Expr; readonly negated: boolean; readonly pos: number }
  | {
      readonly kind: 'case';
      readonly branches: readonly { readonly when: Expr; readonly then: Expr }[];
      readonly elseExpr: Expr | null;
      readonly pos: number;
    }
  | { readonly kind: 'cast'; readonly operand: Expr; readonly targetType: string; readonly pos: number };

export type ExprKind = Expr['kind'];
export type ExprOf<K extends ExprKind> = Extract<Expr, { kind: K }>;

export interface SelectItem {
  readonly expr: Expr;
  readonly alias: string | null;
}

export interface OrderItem {
  readonly expr: Expr;
  readonly desc: boolean;
}

/**
 * `[INNER] JOIN t [AS a] ON …` or `LEFT [OUTER] JOIN …` (only with the multi-stage engine
 * option; shardtable answers joins with a dimension table, `plan/dim-join.ts`).
 */
export interface JoinClause {
  readonly type: 'inner' | 'left';
  readonly table: { readonly name: string; readonly pos: number };
  readonly alias: string | null;
  readonly on: Expr;
}

export interface SelectStatement {
  readonly kind: 'select';
  /** `EXPLAIN PLAN FOR SELECT …`: answer the plan table instead of running the query. */
  readonly explain: boolean;
  /** `SET key = value;` prefixes and `OPTION(...)`, keys as written. */
  readonly options: ReadonlyMap<string, string>;
  readonly distinct: boolean;
  readonly select: readonly SelectItem[];
  readonly table: { readonly name: string; readonly pos: number };
  /** `FROM t AS a`: the alias, or null. */
  readonly tableAlias: string | null;
  readonly join: JoinClause | null;
  readonly where: Expr | null;
  readonly groupBy: readonly Expr[];
  readonly having: Expr | null;
  readonly orderBy: readonly OrderItem[];
  /** null = not given (selection default 10 applies). */
  readonly limit: number | null;
  readonly offset: number;
}

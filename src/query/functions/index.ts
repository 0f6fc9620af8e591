export { SCALAR_FUNCTIONS, ScalarFunctionRegistry, scalarFunction, canonicalFunctionName, UNSUPPORTED_FUNCTIONS } from './registry.js';
export type { ScalarFunction, ArgInfo, ArgKind, ExprType } from './function-types.js';
export { sv, mv } from './function-types.js';
export * from './values.js';

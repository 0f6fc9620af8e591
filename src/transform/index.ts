/** Ingestion transforms: complex-type flattening, transform functions and the filter. */
export { ComplexTypeFlattener } from './complex-type.js';
export { compileSourceExpression } from './source-expression.js';
export type { SourceExpression, SourceRecord } from './source-expression.js';
export { applyIngestionTransforms, compileIngestionTransforms, needsSourceFields, TransformConfigError } from './ingestion-transforms.js';
export type { IngestionTransforms } from './ingestion-transforms.js';

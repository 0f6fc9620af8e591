/**
 * Selected rows of one block: row indices (ascending) in `sel[0..n)`. The filter and the doc-list
 * helpers build them in the query's `Scratch` buffers, so one is valid until the next selection.
 */
export interface Selection {
  readonly sel: Int32Array;
  readonly n: number;
}

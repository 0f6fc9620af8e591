import type { ScalarValue } from '../../config/data-type.js';
import type { Dictionary } from '../segment-view.js';

/**
 * A growing (arrival-order) dictionary as one reader saw it: its first `size` entries. A query
 * over a consuming segment reads a dictionary whose size does not move while it runs, and a
 * value added after the snapshot is not found.
 *
 * @example
 *   const dict = new DictionaryPrefix(builderDictionary, builderDictionary.size);
 */
export class DictionaryPrefix implements Dictionary {
  readonly sorted = false;

  constructor(
    /** The live dictionary (entries are only ever appended, so ids below `size` never change). */
    readonly base: Dictionary,
    readonly size: number,
  ) {}

  get(id: number): ScalarValue {
    if (!(id >= 0 && id < this.size)) throw new RangeError(`dictionary id ${id} out of range [0, ${this.size})`);
    return this.base.get(id);
  }

  indexOf(value: ScalarValue): number {
    const id = this.base.indexOf(value);
    return id < this.size ? id : -1;
  }
}

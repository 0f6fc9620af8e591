/** A block whose rows change group at most once per this many rows on average is aggregated by runs. */
const ROWS_PER_RUN = 8;

/**
 * The runs of equal group ids in a block's rows, when they are long: a time bucket over a
 * time-ordered column gives one group for thousands of rows in a row, and states then add each
 * run in a register (`GroupedAggregation.addRuns`) instead of reading and writing a group's
 * state once per row.
 */
export class GroupRuns {
  /** `starts[j]`: the first row of run `j`; `starts[numRuns]` = the row count. */
  starts = new Int32Array(64);
  gids = new Int32Array(64);

  /** One run of group `g` over `n` rows; answers 1. */
  one(g: number, n: number): number {
    this.starts[0] = 0;
    this.starts[1] = n;
    this.gids[0] = g;
    return 1;
  }

  /** The number of runs of `gids[0..n)` (filling `starts` and `gids`), or 0 when they are too short to pay. */
  of(gids: Int32Array, n: number): number {
    // Counted in chunks, so a block of short runs is given up early.
    const most = Math.floor(n / ROWS_PER_RUN);
    let changes = 0;
    for (let from = 1; from < n; from += 1024) {
      const to = Math.min(n, from + 1024);
      for (let i = from; i < to; i++) changes += gids[i] !== gids[i - 1] ? 1 : 0;
      if (changes + 1 > most) return 0;
    }
    const numRuns = changes + 1;
    if (this.starts.length <= numRuns) {
      this.starts = new Int32Array(2 * numRuns + 1);
      this.gids = new Int32Array(2 * numRuns + 1);
    }
    const starts = this.starts;
    const runGids = this.gids;
    let j = 0;
    starts[0] = 0;
    runGids[0] = gids[0]!;
    for (let i = 1; i < n; i++) {
      if (gids[i] === gids[i - 1]) continue;
      starts[++j] = i;
      runGids[j] = gids[i]!;
    }
    starts[numRuns] = n;
    return numRuns;
  }
}

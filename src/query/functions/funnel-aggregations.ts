import type { ScalarValue } from '../../config/data-type.js';
import type { AggState } from './aggregation-types.js';
import type { RowAggregation } from './row-aggregations.js';
import { toNumber, valueKey } from './values.js';

const newState = (): AggState => ({ n: 0, x: 0, y: 0, set: null, list: null });

/** A step expression's value: 1 / true when the row is that step. */
const isStep = (v: unknown): boolean => v === true || (typeof v === 'number' && v !== 0) || v === 1n;

const distinctKey = (v: unknown): unknown => (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' ? v : valueKey(v));

/** FUNNEL_COUNT's SETTINGS: Pinot's counting strategies. shardtable counts exactly under each. */
export const FUNNEL_COUNT_SETTINGS = ['set', 'bitmap', 'partitioned', 'sorted', 'theta_sketch', 'nominalEntries'] as const;

/**
 * FUNNEL_COUNT(STEPS(s1, …, sn), CORRELATE_BY(id)[, SETTINGS(…)]): each row arrives as
 * `[id, s1, …, sn]`; the ids of each step are kept, and step i answers how many ids reached
 * every step up to i (the size of the intersection of steps 1..i), as LONG_ARRAY. Exact under
 * every setting (Pinot's theta_sketch setting estimates).
 */
export function funnelCount(numSteps: number): RowAggregation {
  const sets = (s: AggState): Set<unknown>[] => (s.v ??= Array.from({ length: numSteps }, () => new Set<unknown>())) as Set<unknown>[];
  return {
    type: 'LONG',
    resultMv: true,
    fn: {
      kind: 'generic',
      needsArgument: true,
      params: 'literals',
      resultMv: true,
      resultType: () => 'LONG',
      init: newState,
      add: (s, tuple) => {
        const [id, ...steps] = tuple as unknown[];
        if (id === null || id === undefined) return;
        const key = distinctKey(id);
        for (let i = 0; i < numSteps; i++) if (isStep(steps[i])) sets(s)[i]!.add(key);
      },
      merge: (a, b) => {
        if (b.v === undefined) return;
        const into = sets(a);
        (b.v as Set<unknown>[]).forEach((from, i) => {
          for (const k of from) into[i]!.add(k);
        });
      },
      result: (s) => {
        const steps = s.v as Set<unknown>[] | undefined;
        const counts = new Array<bigint>(numSteps).fill(0n);
        if (steps === undefined) return counts as unknown as ScalarValue;
        let reached = steps[0]!;
        counts[0] = BigInt(reached.size);
        for (let i = 1; i < numSteps; i++) {
          const next = new Set<unknown>();
          for (const k of steps[i]!) if (reached.has(k)) next.add(k);
          reached = next;
          counts[i] = BigInt(reached.size);
        }
        return counts as unknown as ScalarValue;
      },
    },
  };
}

/** The modes of Pinot's window funnel functions. */
export const FUNNEL_MODES = ['STRICT_DEDUPLICATION', 'STRICT_ORDER', 'STRICT_INCREASE', 'KEEP_ALL'] as const;
export type FunnelMode = (typeof FUNNEL_MODES)[number];

export interface FunnelWindowSettings {
  /** Events after the window's first step 1 by less than this count (in the timestamp's unit). */
  readonly windowSize: number;
  readonly numSteps: number;
  readonly modes: ReadonlySet<FunnelMode>;
  /** > 0: an event further than this from the window's previous event ends the window. */
  readonly maxStepDuration: number;
}

/** One event: its time and the first step (0-based) it matched, or -1 (KEEP_ALL) for none. */
type StepEvent = readonly [number, number];

/** A queue of events read from the front: `items[head..]`. */
class Window {
  items: StepEvent[] = [];
  head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  first(): StepEvent {
    return this.items[this.head]!;
  }
  last(): StepEvent {
    return this.items[this.items.length - 1]!;
  }
  shift(): void {
    if (++this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
  *[Symbol.iterator](): Generator<StepEvent> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }
}

/**
 * Moves events (sorted by time, then step) from `events[pos..]` into `window` so that it starts
 * with a step-1 event and holds the events within the window size after it (Pinot's
 * `fillWindow`). Returns the new read position.
 */
function fillWindow(events: readonly StepEvent[], pos: number, window: Window, cfg: FunnelWindowSettings): number {
  while (window.size > 0 && window.first()[1] !== 0) window.shift();
  if (window.size === 0) {
    while (pos < events.length && events[pos]![1] !== 0) pos++;
    if (pos >= events.length) return pos;
    window.items.push(events[pos++]!);
  }
  const end = window.first()[0] + cfg.windowSize;
  while (pos < events.length && events[pos]![0] < end) {
    if (cfg.maxStepDuration > 0 && events[pos]![0] - window.last()[0] > cfg.maxStepDuration) break;
    window.items.push(events[pos++]!);
  }
  return pos;
}

/** The furthest step reached from the window's first event, under the modes. */
function maxStepOf(window: Window, cfg: FunnelWindowSettings): number {
  let step = 0;
  let previous = -1;
  for (const [time, s] of window) {
    if (cfg.modes.has('STRICT_DEDUPLICATION') && s === step - 1) return step;
    if (cfg.modes.has('STRICT_ORDER') && s !== step) return step;
    if (cfg.modes.has('STRICT_INCREASE') && previous === time) continue;
    if (step === s) {
      step++;
      previous = time;
    }
    if (step === cfg.numSteps) break;
  }
  return step;
}

/** The deepest step any window reaches. */
function deepestStep(events: readonly StepEvent[], cfg: FunnelWindowSettings): number {
  let deepest = 0;
  let pos = 0;
  const window = new Window();
  while (pos < events.length) {
    pos = fillWindow(events, pos, window, cfg);
    if (window.size === 0) break;
    deepest = Math.max(deepest, maxStepOf(window, cfg));
    if (deepest === cfg.numSteps) break;
    if (window.size > 0) window.shift();
  }
  return deepest;
}

/** How many times the whole funnel completes, each completion starting a fresh round. */
function completedRounds(events: readonly StepEvent[], cfg: FunnelWindowSettings): number {
  let rounds = 0;
  let pos = 0;
  const window = new Window();
  while (pos < events.length) {
    pos = fillWindow(events, pos, window, cfg);
    if (window.size === 0) break;
    let start = window.first()[0];
    let step = 0;
    let previous = -1;
    for (const [time, s] of window) {
      if (cfg.modes.has('STRICT_DEDUPLICATION') && s === step - 1) step = 0;
      if (cfg.modes.has('STRICT_ORDER') && s !== step) step = 0;
      if (cfg.modes.has('STRICT_INCREASE') && previous === time) continue;
      previous = time;
      if (step === s) step++;
      if (step === cfg.numSteps) {
        rounds++;
        step = 0;
        start = time;
      }
    }
    if (window.size > 0) window.shift();
    while (window.size > 0 && window.first()[0] < start) window.shift();
  }
  return rounds;
}

export type FunnelWindowKind = 'funnelmaxstep' | 'funnelmatchstep' | 'funnelcompletecount';

/**
 * FUNNEL_MAX_STEP / FUNNEL_MATCH_STEP / FUNNEL_COMPLETE_COUNT(ts, windowSize, numSteps, s1, …,
 * sn[, mode …]): each row arrives as `[ts, s1, …, sn]` and is kept as an event of its first
 * matching step (KEEP_ALL keeps the others as step -1). At the end the events are sorted by time
 * and walked in windows that open at a step-1 event: the deepest step reached (INT), that depth
 * as n 0/1 flags (INT_ARRAY), or the number of completed funnels (INT).
 */
export function funnelWindow(kind: FunnelWindowKind, cfg: FunnelWindowSettings): RowAggregation {
  const events = (s: AggState): StepEvent[] => (s.v ??= []) as StepEvent[];
  const resultMv = kind === 'funnelmatchstep';
  const final = (all: StepEvent[]): ScalarValue => {
    if (kind === 'funnelcompletecount') return completedRounds(all, cfg);
    const deepest = all.length === 0 ? 0 : deepestStep(all, cfg);
    if (kind === 'funnelmaxstep') return deepest;
    return Array.from({ length: cfg.numSteps }, (_, i) => (i < deepest ? 1 : 0)) as unknown as ScalarValue;
  };
  return {
    type: 'INT',
    resultMv,
    fn: {
      kind: 'generic',
      needsArgument: true,
      params: 'literals',
      resultMv,
      resultType: () => 'INT',
      init: newState,
      add: (s, tuple) => {
        const [ts, ...steps] = tuple as unknown[];
        if (ts === null || ts === undefined) return;
        const time = toNumber(ts);
        const step = steps.findIndex(isStep);
        if (step >= 0 || cfg.modes.has('KEEP_ALL')) events(s).push([time, step]);
      },
      merge: (a, b) => {
        if (b.v === undefined) return;
        const into = events(a);
        for (const e of b.v as StepEvent[]) into.push(e);
      },
      result: (s) => {
        const all = [...((s.v as StepEvent[] | undefined) ?? [])].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        return final(all);
      },
    },
  };
}

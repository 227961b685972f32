/**
 * "contextual": the Contextual Anomaly Detector's method (M. Smirnov, CAD OSE, 2016,
 * https://github.com/smirmik/CAD; one of NAB's reference detectors, nab/detectors/context_ose,
 * 69.9 standard on the whole of NAB), written anew here with the changes below so that it streams.
 *
 * The idea: each value is quantised to 2^bits bins and its bin number spelt as a set of "facts"
 * (bit i is 0 or 1). A context is a pair (left facts, right facts): what was true at the previous
 * step (its sensor facts plus the contexts that fired then) and what followed. Every step
 *
 * 1. stores the pair (previous left facts, current sensor facts) as a zero-level context;
 * 2. finds the stored contexts whose left side matched the previous step completely ("selected")
 *    and, among them, those whose right side matches the current facts completely ("active");
 * 3. where a zero-level context matched only partly on both sides, the overlap is a candidate new,
 *    more general context;
 * 4. the most often active contexts become facts of the next left side, so contexts chain.
 *
 * The raw anomaly is (1 − active/selected + new/candidates) / 2: a step is normal when what was
 * learnt predicts it and nothing new had to be learnt. It counts only when the current facts were
 * not all predicted by the best contexts of the previous step. After a score of `baseThreshold` or
 * more, the output stays 0 for `restPoints` points (CAD OSE's rest period: NAB counts only the
 * first detection in a window, and later ones outside it are false positives).
 *
 * Changes from CAD OSE, each for streaming:
 * - CAD OSE bins over the minimum and maximum of the whole file, which NAB hands every detector
 *   (look-ahead). Here the bins span the range of the points seen so far plus `margin` on each side,
 *   set after `rangePoints` points; a value beyond them is a spatial anomaly (score `spatial`, as
 *   NAB's HTM detector scores values out of its seen range) and widens the range, and the memory
 *   is rebuilt by replaying the last `rangePoints` points (kept in a ring) with the new bins.
 * - The rest period is a number of points, not a fifth of NAB's probationary period (a share of
 *   the file's length, unknown to a stream).
 * - When the memory holds `maxContexts` contexts it starts over from the last `rangePoints`
 *   points (the same replay), so memory and time per point are bounded (CAD OSE's grow with every
 *   new context) and the detector does not forget everything at once.
 * - Novelty alone is not magnitude: a score of a point within `zGate` robust standard deviations of
 *   its seasonal baseline (baseline.ts) is multiplied by `gateDamp`, so that noise crossing a bin
 *   edge in a way not seen before does not alarm like a real change.
 *
 * On the NAB part in ../shared/nab (35 files, one threshold per profile by NAB's sweep): 72.2
 * standard, 67.2 reward_low_FP_rate, 76.1 reward_low_FN_rate (Numenta HTM's results: 75.4 / 70.4 /
 * 78.9). Given the whole file's range as CAD OSE is, it scores 76.6 / 72.1 / 80.4 (NAB's own
 * CAD OSE outputs on these files, run here: 77.2 / 73.4 / 80.8), so most of the gap is the
 * look-ahead. Tried and rejected: the range from the first points only, with values beyond it
 * spelt as bins beyond it (63.6) or clipped to the edge bins (58.0; 68.3 with a 50 % margin);
 * 4 bits (68.8); a rest of 40 or 90 points (71.8, 70.3); rangePoints 200 or 400 (71.4, 66.4);
 * a memory that starts over empty when full (with 5000 contexts 75.5 inside hybrid.ts; starting
 * over from the replay keeps 76.3 down to 5000, 76.1 at 3000, 74.6 at 2000).
 *
 * Cost (bench/monitor/detectors.ts): about 20-30 µs per point on the bench's per-second series and
 * up to ~350 µs on white noise near the cap (every bin sequence is new there, so the memory fills);
 * at most a few MB per series at the cap. A step widening the range replays `rangePoints` points.
 */
import { Baseline, baselineDefaults } from "./baseline.js";
import { DetectorError } from "./errors.js";
import { type Detector, type DetectorParams, registerDetector } from "./registry.js";

const defaults = {
  /** Bits of the bin number: 2^bits − 1 bins over the learnt range (CAD OSE: 3). */
  bits: 3,
  /** Points whose minimum and maximum set the range; scores are 0 until then. */
  rangePoints: 300,
  /** Raw score from which the rest period starts (CAD OSE: 0.75). */
  baseThreshold: 0.75,
  /** Points of silence after a raw score of baseThreshold or more. */
  restPoints: 60,
  /** Left semi-contexts longer than this are not generalised (CAD OSE: 7). */
  maxLeftFacts: 7,
  /** Contexts that carry over into the next left side (CAD OSE: 15). */
  maxActive: 15,
  /** Contexts kept before the memory starts over from the replay (bounds memory and time per point). */
  maxContexts: 5_000,
  /** Share of the seen range added on each side before binning; a value beyond it widens it. */
  margin: 0.25,
  /** Raw score of a value beyond the range (HTM's "spatial anomaly" in NAB's numenta detector). */
  spatial: 1,
  /** Robust z (against baseline.ts) below which a score is damped... */
  zGate: 4,
  /** ...by this factor. */
  gateDamp: 0.7,
};

type Params = typeof defaults;

/** One side of one or more contexts, with how much of it the last crossing matched. */
interface SemiContext {
  /** Sorted ascending, as every fact list here. */
  readonly facts: readonly number[];
  /** How many of its facts the last crossing that touched it held. */
  matched: number;
  /** Step stamp of that crossing (a count from another crossing means 0). */
  stamp: number;
}

interface LeftSemiContext extends SemiContext {
  /** Right semi-context id -> context id. */
  readonly contexts: Map<number, number>;
}

interface Context {
  readonly id: number;
  readonly right: readonly number[];
  /** Facts the context predicted and facts of those that came (its prediction weight). */
  predicted: number;
  confirmed: number;
  activations: number;
  zeroLevel: boolean;
}

/** A candidate context: the overlap of a partly matched zero-level context with this step. */
interface Candidate {
  readonly left: number[];
  readonly right: number[];
  readonly leftKey: string;
  readonly rightKey: string;
}

/** Facts of neurons (active contexts) come after the sensor facts (2 × bits of them); small integers keep the maps fast. */
const NEURON_BASE = 1024;

/** The context memory: semi-contexts indexed by fact, contexts by (left, right) pair. */
class ContextMemory {
  private readonly lefts: LeftSemiContext[] = [];
  private readonly rights: SemiContext[] = [];
  private readonly leftByKey = new Map<string, number>();
  private readonly rightByKey = new Map<string, number>();
  private readonly leftByFact = new Map<number, LeftSemiContext[]>();
  private readonly rightByFact = new Map<number, number[]>();
  readonly contexts: Context[] = [];
  private crossedLefts: LeftSemiContext[] = [];
  /** The facts of the last left crossing (the previous step's left side). */
  private leftFacts = new Set<number>();
  private stamp = 0;
  /** The zero-level context stored this step, which must not judge its own step. */
  private newContext = -1;

  constructor(private readonly maxLeftFacts: number) {}

  /** Stores the context (left, right) unless known; returns whether it is new. */
  remember(
    left: readonly number[],
    right: readonly number[],
    zeroLevel: boolean,
    leftKey = left.join(","),
    rightKey = right.join(","),
  ): boolean {
    let leftId = this.leftByKey.get(leftKey);
    if (leftId === undefined) {
      leftId = this.lefts.length;
      const semi: LeftSemiContext = { facts: left, matched: 0, stamp: -1, contexts: new Map() };
      this.lefts.push(semi);
      this.leftByKey.set(leftKey, leftId);
      for (const f of left) push(this.leftByFact, f, semi);
    }
    let rightId = this.rightByKey.get(rightKey);
    if (rightId === undefined) {
      rightId = this.rights.length;
      this.rights.push({ facts: right, matched: 0, stamp: -1 });
      this.rightByKey.set(rightKey, rightId);
      for (const f of right) push(this.rightByFact, f, rightId);
    }
    const semi = this.lefts[leftId]!;
    const known = semi.contexts.get(rightId);
    if (known !== undefined) {
      if (zeroLevel) this.contexts[known]!.zeroLevel = true;
      return false;
    }
    const id = this.contexts.length;
    semi.contexts.set(rightId, id);
    this.contexts.push({ id, right, predicted: 0, confirmed: 0, activations: 0, zeroLevel });
    if (zeroLevel) this.newContext = id;
    return true;
  }

  /**
   * Crosses the current sensor facts with the right semi-contexts, then walks the contexts whose
   * left side was crossed by the previous left facts: counts the selected ones, returns the active
   * ones and the candidate generalisations (only when this step stored a new zero-level context).
   */
  crossRight(
    facts: readonly number[],
    generalise: boolean,
  ): { active: Context[]; selected: number; candidates: Candidate[] } {
    const stamp = ++this.stamp;
    for (const f of facts) {
      for (const id of this.rightByFact.get(f) ?? []) {
        const semi = this.rights[id]!;
        if (semi.stamp !== stamp) {
          semi.stamp = stamp;
          semi.matched = 0;
        }
        semi.matched++;
      }
    }
    const current = new Set(facts);
    const active: Context[] = [];
    const candidates: Candidate[] = [];
    let selected = 0;
    for (const left of this.crossedLefts) {
      const leftComplete = left.matched === left.facts.length;
      for (const [rightId, contextId] of left.contexts) {
        if (contextId === this.newContext) continue;
        const context = this.contexts[contextId]!;
        const right = this.rights[rightId]!;
        const rightMatched = right.stamp === stamp ? right.matched : 0;
        if (leftComplete) {
          selected++;
          context.predicted += right.facts.length;
          if (rightMatched === 0) continue;
          context.confirmed += rightMatched;
          if (rightMatched === right.facts.length) {
            context.activations++;
            active.push(context);
            continue;
          }
        } else if (rightMatched === 0) continue;
        if (context.zeroLevel && generalise && left.matched <= this.maxLeftFacts) {
          const leftFacts = this.leftFacts;
          const l = left.facts.filter((f) => leftFacts.has(f));
          const r = right.facts.filter((f) => current.has(f));
          candidates.push({ left: l, right: r, leftKey: l.join(","), rightKey: r.join(",") });
        }
      }
    }
    this.newContext = -1;
    return { active, selected, candidates };
  }

  /**
   * Stores the candidates (returns how many were new), crosses the new left facts with the left
   * semi-contexts, and returns the facts predicted for the next step: the right sides of the
   * completely matched contexts with the best confirmed/predicted ratio.
   */
  crossLeft(facts: readonly number[], candidates: Iterable<Candidate>): [number, Set<number>] {
    let added = 0;
    for (const c of candidates) if (this.remember(c.left, c.right, false, c.leftKey, c.rightKey)) added++;
    const stamp = ++this.stamp;
    const crossed: LeftSemiContext[] = [];
    for (const f of facts) {
      for (const semi of this.leftByFact.get(f) ?? []) {
        if (semi.stamp !== stamp) {
          semi.stamp = stamp;
          semi.matched = 0;
          crossed.push(semi);
        }
        semi.matched++;
      }
    }
    this.crossedLefts = crossed;
    this.leftFacts = new Set(facts);
    let best = 0;
    let predicting: Context[] = [];
    for (const semi of crossed) {
      if (semi.matched !== semi.facts.length) continue;
      for (const id of semi.contexts.values()) {
        const c = this.contexts[id]!;
        const weight = c.predicted > 0 ? c.confirmed / c.predicted : 0;
        if (weight > best) {
          best = weight;
          predicting = [c];
        } else if (weight === best) predicting.push(c);
      }
    }
    const predictions = new Set<number>();
    for (const c of predicting) for (const f of c.right) predictions.add(f);
    return [added, predictions];
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The facts spelling bin number k ≥ 0: for bit i, fact 2i + bit (CAD OSE's encoding). */
export function binFacts(k: number, bits: number): number[] {
  const out: number[] = [];
  for (let i = 0, m = k; i < bits; i++, m = Math.floor(m / 2)) out.push(2 * i + (m & 1));
  return out;
}

class ContextualDetector implements Detector {
  private memory: ContextMemory;
  private left: number[] = [];
  private predictions = new Set<number>();
  private readonly recent: Float64Array;
  private n = 0;
  private seenLo = Number.POSITIVE_INFINITY;
  private seenHi = Number.NEGATIVE_INFINITY;
  private lo = 0;
  private hi = 0;
  private step = 1;
  /** Points since the last raw score at or above baseThreshold. */
  private sinceHigh = 0;
  private replaying = false;

  private readonly baseline = new Baseline(baselineDefaults);

  constructor(private readonly p: Params) {
    this.memory = new ContextMemory(p.maxLeftFacts);
    this.recent = new Float64Array(Math.max(1, p.rangePoints));
  }

  update(timestamp: number, x: number): number {
    if (!Number.isFinite(x)) return 0;
    // Beyond ±1e100 nothing is learnt that 1e100 does not teach, and range widths stay finite.
    const value = Math.min(1e100, Math.max(-1e100, x));
    const z = Math.abs(this.baseline.update(timestamp, value));
    const size = this.recent.length;
    let raw = 0;
    let scored = false;
    if (this.n >= size) {
      if (value < this.lo || value > this.hi) {
        this.seenLo = Math.min(this.seenLo, value);
        this.seenHi = Math.max(this.seenHi, value);
        this.rebuild();
        this.learn(value);
        raw = this.p.spatial;
      } else raw = this.learn(value);
      scored = true;
    }
    this.seenLo = Math.min(this.seenLo, value);
    this.seenHi = Math.max(this.seenHi, value);
    this.recent[this.n % size] = value;
    this.n++;
    if (this.n === size) {
      this.rebuild();
      this.sinceHigh = 0;
    }
    if (!scored) return 0;
    if (z < this.p.zGate) raw *= this.p.gateDamp;
    const resting = this.sinceHigh < this.p.restPoints;
    this.sinceHigh = raw >= this.p.baseThreshold ? 0 : this.sinceHigh + 1;
    return resting ? 0 : raw;
  }

  /** Sets the bins over the range seen so far and relearns the recent points with them. */
  private rebuild(): void {
    const lo = this.seenLo;
    const hi = this.seenHi;
    const m = (hi - lo) * this.p.margin;
    this.lo = lo - m;
    this.hi = hi + m;
    const bins = 2 ** this.p.bits - 1;
    this.step = this.hi > this.lo ? (this.hi - this.lo) / bins : 1;
    this.memory = new ContextMemory(this.p.maxLeftFacts);
    this.left = [];
    this.predictions = new Set();
    const size = this.recent.length;
    const count = Math.min(this.n, size);
    this.replaying = true;
    for (let i = this.n - count; i < this.n; i++) this.learn(this.recent[i % size]!);
    this.replaying = false;
  }

  /** One step of the context machine; returns the raw anomaly. */
  private learn(value: number): number {
    if (!this.replaying && this.memory.contexts.length >= this.p.maxContexts) this.rebuild();
    // The range holds every value seen, so bins stay within 0 .. 2^bits − 1 (clamped for rounding).
    const top = 2 ** this.p.bits - 1;
    const bin = Math.floor((value - this.lo) / this.step);
    const facts = binFacts(bin > 0 ? Math.min(bin, top) : 0, this.p.bits);
    let surprised = false;
    for (const f of facts) if (!this.predictions.has(f)) surprised = true;

    const memory = this.memory;
    const isNew = this.left.length > 0 && memory.remember(this.left, facts, true);
    const { active, selected, candidates } = memory.crossRight(facts, isNew);
    // Candidates repeat (several contexts share an overlap); each counts and is stored once.
    const distinct = new Map<string, Candidate>();
    for (const c of candidates) distinct.set(`${c.leftKey}|${c.rightKey}`, c);
    const zeroKey = `${this.left.join(",")}|${facts.join(",")}`;
    const zeroCounts = this.left.length > 0 && !distinct.has(zeroKey);

    active.sort((a, b) => a.activations - b.activations || a.id - b.id);
    const next = new Set<number>(facts);
    for (const c of active.slice(-this.p.maxActive)) next.add(NEURON_BASE + c.id);
    this.left = [...next].sort((a, b) => a - b);

    const [added, predictions] = memory.crossLeft(this.left, distinct.values());
    this.predictions = predictions;
    const activeShare = selected > 0 ? active.length / selected : 0;
    const newShare = isNew ? (added + 1) / (distinct.size + (zeroCounts ? 1 : 0)) : 0;
    return surprised ? (1 - activeShare + newShare) / 2 : 0;
  }
}

/** Integer parameters and their ranges (bins are spelt with 32-bit bit operations). */
const integerRanges: Partial<Record<keyof Params, readonly [number, number]>> = {
  bits: [1, 16],
  rangePoints: [1, 1_000_000],
  restPoints: [0, Number.MAX_SAFE_INTEGER],
  maxLeftFacts: [1, Number.MAX_SAFE_INTEGER],
  maxActive: [0, Number.MAX_SAFE_INTEGER],
  maxContexts: [1, Number.MAX_SAFE_INTEGER],
};

function checked(p: Params): Params {
  for (const [name, [lo, hi]] of Object.entries(integerRanges) as [keyof Params, [number, number]][]) {
    const v = p[name];
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new DetectorError(
        "DETECTOR_PARAM_INVALID",
        `parameter ${name} of detector contextual must be an integer from ${lo} to ${hi}`,
      );
    }
  }
  if (!(p.margin >= 0)) {
    throw new DetectorError("DETECTOR_PARAM_INVALID", "parameter margin of detector contextual must be >= 0");
  }
  return p;
}

registerDetector({
  name: "contextual",
  summary: "sequences of quantised values that the learnt contexts did not predict (CAD OSE's method)",
  defaults,
  alertThreshold: 0.7,
  create: (p: DetectorParams) => new ContextualDetector(checked(p as Params)),
});

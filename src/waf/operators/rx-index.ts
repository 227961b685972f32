/**
 * One pass per value for all @rx patterns of a rule set: every pattern with a factor set
 * (rx-factors.ts) gets a slot, and one Aho–Corasick automaton over all their factors tells, in a
 * single scan of a value, which patterns can match it (A. V. Aho, M. J. Corasick, CACM 18(6),
 * 1975; Hyperscan and RE2's FilteredRE2 use the same arrangement). A pattern whose slot is not hit
 * is not run. Most values a CRS rule sees are benign and hit none, so the ~300 patterns of CRS
 * cost one scan per distinct value instead of one regex run each.
 *
 * The automaton is a full DFA (fail links resolved into the table) over a reduced alphabet: the
 * printable ASCII chars that occur in some factor, folded to lower case, plus one class for every
 * other char. A scan is one table read per char. Results are cached per value (content), since
 * CRS runs dozens of rules over the same transformed value.
 */

/** Values whose scan results are kept; the cache is emptied when it grows past this. */
const CACHE_LIMIT = 2048;

export class RxFactorIndex {
  private readonly factors: string[][] = [];
  private built: Built | undefined;
  private readonly cache = new Map<string, Uint8Array>();

  /**
   * Registers a pattern's factor set (non-empty printable ASCII strings; case does not matter);
   * returns its slot. Throws RangeError for any other string: a scan could never find it, and the
   * pattern would be skipped when it must run.
   */
  add(factors: readonly string[]): number {
    for (const f of factors)
      if (!/^[\x20-\x7e]+$/.test(f))
        throw new RangeError(`factor ${JSON.stringify(f)} is not printable ASCII`);
    this.factors.push(factors.map((f) => f.replace(/[A-Z]/g, (c) => c.toLowerCase())));
    this.built = undefined;
    this.cache.clear();
    return this.factors.length - 1;
  }

  get size(): number {
    return this.factors.length;
  }

  /** False when the pattern in `slot` cannot match `input` (none of its factors occurs). */
  mayMatch(slot: number, input: string): boolean {
    let hits = this.cache.get(input);
    if (hits === undefined) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      hits = this.scan(input);
      this.cache.set(input, hits);
    }
    return hits[slot] === 1;
  }

  /** Which slots' factors occur in `input` (1 = occurs). */
  scan(input: string): Uint8Array {
    const b = (this.built ??= build(this.factors));
    const hits = new Uint8Array(this.factors.length);
    const { classOf, width, delta, outStart, outLen, outIds } = b;
    let s = 0;
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      s = delta[s * width + (c < 128 ? (classOf[c] as number) : 0)] as number;
      const n = outLen[s] as number;
      if (n !== 0) {
        const start = outStart[s] as number;
        for (let k = 0; k < n; k++) hits[outIds[start + k] as number] = 1;
      }
    }
    return hits;
  }
}

interface Built {
  /** Char code (< 128) → alphabet class; 0 is "any other char". Upper case maps to lower. */
  readonly classOf: Uint8Array;
  readonly width: number;
  /** state × width + class → next state. */
  readonly delta: Int32Array;
  /** Per state: slots whose factor ends here (own or via fail links), in outIds. */
  readonly outStart: Int32Array;
  readonly outLen: Int32Array;
  readonly outIds: Int32Array;
}

function build(factors: readonly (readonly string[])[]): Built {
  const classOf = new Uint8Array(128);
  let width = 1;
  for (const set of factors)
    for (const f of set)
      for (let i = 0; i < f.length; i++) {
        const c = f.charCodeAt(i);
        if (c < 128 && classOf[c] === 0) classOf[c] = width++;
      }
  for (let c = 65; c <= 90; c++) classOf[c] = classOf[c + 32] as number;

  // Trie: goto[state][class], -1 for none; outputs per state.
  const go: number[][] = [new Array<number>(width).fill(-1)];
  const out: Array<Set<number>> = [new Set()];
  factors.forEach((set, slot) => {
    for (const f of set) {
      let s = 0;
      for (let i = 0; i < f.length; i++) {
        const cls = classOf[f.charCodeAt(i)] as number;
        let next = go[s]![cls] as number;
        if (next === -1) {
          next = go.length;
          go.push(new Array<number>(width).fill(-1));
          out.push(new Set());
          go[s]![cls] = next;
        }
        s = next;
      }
      out[s]!.add(slot);
    }
  });

  // Breadth-first: fail links, outputs merged along them, missing transitions resolved.
  const n = go.length;
  const fail = new Int32Array(n);
  const delta = new Int32Array(n * width);
  const queue: number[] = [];
  // From the root: a missing transition stays at the root (delta is zero-filled).
  for (let cls = 1; cls < width; cls++) {
    const next = go[0]![cls] as number;
    if (next !== -1) {
      delta[cls] = next;
      queue.push(next);
    }
  }
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q] as number;
    for (const id of out[fail[s] as number]!) out[s]!.add(id);
    for (let cls = 0; cls < width; cls++) {
      const next = go[s]![cls] as number;
      const viaFail = delta[(fail[s] as number) * width + cls] as number;
      // Class 0 (a char no factor holds) always leads back to the root.
      if (cls === 0) continue;
      if (next === -1) delta[s * width + cls] = viaFail;
      else {
        delta[s * width + cls] = next;
        fail[next] = viaFail;
        queue.push(next);
      }
    }
  }

  const outStart = new Int32Array(n);
  const outLen = new Int32Array(n);
  const ids: number[] = [];
  for (let s = 0; s < n; s++) {
    outStart[s] = ids.length;
    outLen[s] = out[s]!.size;
    for (const id of out[s]!) ids.push(id);
  }
  return { classOf, width, delta, outStart, outLen, outIds: Int32Array.from(ids) };
}

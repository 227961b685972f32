/**
 * Aho–Corasick multi-phrase search over byte strings, ASCII case-insensitive, for @pm and
 * @pmFromFile (A. V. Aho, M. J. Corasick, "Efficient string matching: an aid to bibliographic
 * search", CACM 18(6), 1975). Built once at rule load; a search allocates nothing.
 *
 * As ModSecurity's acmp (src/utils/acmp.cc) the search stops at the first position where some
 * phrase ends; among phrases ending there it reports the longest. Case folding is ASCII only
 * (C locale `tolower`), so bytes 0x80–0xFF match exactly. A char is taken as its low byte
 * (`charCodeAt & 0xFF`), in phrases and inputs alike.
 *
 * Layout: a full DFA (fail links resolved into the table, as rx-index.ts) over a reduced alphabet:
 * every byte that occurs in some phrase, A–Z folded onto a–z, gets a class, and all other bytes
 * share class 0, which always leads back to the root. The scan holds a state as the offset of its
 * row, so a step is one read of `delta` (row + class) with no multiplication; a transition into a
 * state where a phrase ends is stored complemented, so the loop tests only the sign and stops at
 * the first match. States are numbered breadth-first, and only the first DENSE_LIMIT / width
 * states (the shallow ones, where a scan of benign input spends its time) get table rows: deeper
 * states of big phrase lists (php-errors.data has 45,000) keep sorted child lists and follow fail
 * links until a state with a row, which bounds the table to 256 KB per automaton (all CRS data
 * files: about 5 MB; 1 MB per automaton made only php-errors.data faster, by a sixth, on prose).
 *
 * A step costs about one dependent load; a skip loop over pairs of chars that start no phrase, run
 * before the automaton, was measured slower on CRS lists of hundreds of phrases and barely faster
 * on short lists, so there is none.
 */

export interface PhraseMatch {
  /** Offset in the input where the phrase starts. */
  readonly start: number;
  /** Offset just past its end. */
  readonly end: number;
}

/** Table entries at most (4 bytes each) per automaton; deeper states use child lists. */
const DENSE_LIMIT = 1 << 16;

const lower = (c: number): number => (c >= 65 && c <= 90 ? c | 32 : c);

export class AhoCorasick {
  /** Byte → class; 0 for bytes in no phrase. Upper case maps as lower case. */
  private readonly classOf: Uint8Array;
  private readonly width: number;
  /** States with a row in `delta`: 0 … dense-1. */
  private readonly dense: number;
  /** dense × width: next state encoded (see encode), complemented when a phrase ends there. */
  private readonly delta: Int32Array;
  /** Per state: length of the longest phrase ending there (itself or via fail links); 0 = none. */
  private readonly outLen: Int32Array;
  private readonly fail: Int32Array;
  /** Children of states ≥ dense: per state first index into kidClass/kidState, and count. */
  private readonly kidStart: Int32Array;
  private readonly kidCount: Int32Array;
  private readonly kidClass: Uint8Array;
  private readonly kidState: Int32Array;
  readonly size: number;

  /** `denseLimit`: table entries at most (default 2^16); small values exercise the child lists. */
  constructor(phrases: readonly string[], denseLimit = DENSE_LIMIT) {
    const classOf = new Uint8Array(256);
    let width = 1;
    for (const phrase of phrases)
      for (let i = 0; i < phrase.length; i++) {
        const c = lower(phrase.charCodeAt(i) & 0xff);
        if (classOf[c] === 0) classOf[c] = width++;
      }
    for (let c = 65; c <= 90; c++) classOf[c] = classOf[c + 32] as number;

    // Pointer trie over classes, in insertion order.
    const kids: Array<Map<number, number>> = [new Map()];
    const own: number[] = [0];
    for (const phrase of phrases) {
      if (phrase.length === 0) continue;
      let node = 0;
      for (let i = 0; i < phrase.length; i++) {
        const cls = classOf[phrase.charCodeAt(i) & 0xff] as number;
        const k = kids[node] as Map<number, number>;
        let next = k.get(cls);
        if (next === undefined) {
          next = kids.length;
          kids.push(new Map());
          own.push(0);
          k.set(cls, next);
        }
        node = next;
      }
      own[node] = Math.max(own[node] as number, phrase.length);
    }
    const n = kids.length;

    // Breadth-first numbering: order[new] = old, children sorted by class.
    const order: number[] = [0];
    const renum = new Int32Array(n);
    for (let q = 0; q < order.length; q++) {
      const entries = [...(kids[order[q] as number] as Map<number, number>).entries()].sort(
        (a, b) => a[0] - b[0],
      );
      for (const [, child] of entries) {
        renum[child] = order.length;
        order.push(child);
      }
    }
    const dense = Math.max(1, Math.min(n, Math.floor(denseLimit / width)));
    const delta = new Int32Array(dense * width);
    const outLen = new Int32Array(n);
    const fail = new Int32Array(n);
    const kidStart = new Int32Array(n);
    const kidCount = new Int32Array(n);
    const kidClass = new Uint8Array(n);
    const kidState = new Int32Array(n);
    this.classOf = classOf;
    this.width = width;
    this.dense = dense;
    this.delta = delta;
    this.outLen = outLen;
    this.fail = fail;
    this.kidStart = kidStart;
    this.kidCount = kidCount;
    this.kidClass = kidClass;
    this.kidState = kidState;
    this.size = n - 1;

    // Child lists of every state (construction walks them; the scan only those ≥ dense).
    let at = 0;
    for (let s = 0; s < n; s++) {
      const entries = [...(kids[order[s] as number] as Map<number, number>).entries()].sort(
        (a, b) => a[0] - b[0],
      );
      kidStart[s] = at;
      kidCount[s] = entries.length;
      for (const [cls, child] of entries) {
        kidClass[at] = cls;
        kidState[at] = renum[child] as number;
        at++;
      }
    }

    // States in breadth-first order: fail links and outputs of the children, then the state's row
    // (raw next states; a row reads only rows of shallower states, all earlier).
    for (let s = 0; s < n; s++) {
      const start = kidStart[s] as number;
      const end = start + (kidCount[s] as number);
      for (let k = start; k < end; k++) {
        const child = kidState[k] as number;
        const f = s === 0 ? 0 : this.rawNext(fail[s] as number, kidClass[k] as number);
        fail[child] = f;
        outLen[child] = Math.max(own[order[child] as number] as number, outLen[f] as number);
      }
      if (s < dense) {
        const row = s * width;
        const failRow = (fail[s] as number) * width;
        for (let cls = 1; cls < width; cls++)
          delta[row + cls] = s === 0 ? 0 : (delta[failRow + cls] as number);
        for (let k = start; k < end; k++) delta[row + (kidClass[k] as number)] = kidState[k] as number;
      }
    }
    // Rows hold raw states so far; now encode them for the scan.
    for (let i = 0; i < delta.length; i++) delta[i] = this.encode(delta[i] as number);
  }

  /**
   * A state as the scan holds it: the offset of its row (state × width) for states with a row,
   * dense × width + (state − dense) for the others; complemented when a phrase ends there.
   */
  private encode(s: number): number {
    const v = s < this.dense ? s * this.width : this.dense * this.width + (s - this.dense);
    return (this.outLen[s] as number) > 0 ? ~v : v;
  }

  private decode(v: number): number {
    const rows = this.dense * this.width;
    return v < rows ? v / this.width : v - rows + this.dense;
  }

  /** Next state from `s` on class `cls` during construction (rows hold raw states then). */
  private rawNext(s: number, cls: number): number {
    for (;;) {
      if (s < this.dense) return this.delta[s * this.width + cls] as number;
      const t = this.child(s, cls);
      if (t >= 0) return t;
      s = this.fail[s] as number;
    }
  }

  /** Child of state `s` on class `cls`, or -1. */
  private child(s: number, cls: number): number {
    const start = this.kidStart[s] as number;
    const end = start + (this.kidCount[s] as number);
    const kc = this.kidClass;
    for (let k = start; k < end; k++) {
      const c = kc[k] as number;
      if (c === cls) return this.kidState[k] as number;
      if (c > cls) break;
    }
    return -1;
  }

  /** Step from an encoded state without a row: its child, or a fail link's; encoded. */
  private sparseNext(v: number, cls: number): number {
    let s = this.decode(v);
    do {
      const t = this.child(s, cls);
      if (t >= 0) return this.encode(t);
      s = this.fail[s] as number;
    } while (s >= this.dense);
    return this.delta[s * this.width + cls] as number;
  }

  /** End offset of the first phrase found (earliest end), or -1. Use `lastLength` for its length. */
  searchEnd(input: string): number {
    const classOf = this.classOf;
    const delta = this.delta;
    const rows = delta.length;
    const n = input.length;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const cls = classOf[input.charCodeAt(i) & 0xff] as number;
      v = v < rows ? (delta[v + cls] as number) : this.sparseNext(v, cls);
      if (v < 0) {
        this.lastLength = this.outLen[this.decode(~v)] as number;
        return i + 1;
      }
    }
    return -1;
  }

  /** Length of the phrase found by the last successful searchEnd (valid until the next call). */
  lastLength = 0;

  /** True when some phrase occurs in `input`. */
  test(input: string): boolean {
    return this.searchEnd(input) >= 0;
  }

  /** The first match (earliest end, longest there), or undefined. */
  find(input: string): PhraseMatch | undefined {
    const end = this.searchEnd(input);
    if (end < 0) return undefined;
    return { start: end - this.lastLength, end };
  }
}

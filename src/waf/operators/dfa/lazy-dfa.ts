/**
 * Lazily built DFA over a Thompson NFA (nfa.ts), after RE2's DFA (R. Cox, "Regular Expression
 * Matching in the Wild", 2010): a DFA state is a set of NFA instructions plus the kind of the
 * previous char, created the first time a scan needs it and cached with one transition row per
 * state (Int32Array, one entry per byte class). A scan is one table read per char once the states
 * it meets exist, and answers RegExp#test: does the pattern match anywhere?
 *
 * - Unanchored search: the start instruction is added back after every char. Its closure is the
 *   same every time for a given previous-char kind, so states store only what they hold beyond
 *   it (`extra`); the start closure per kind is kept once. For a large alternation that makes a
 *   state on ordinary text a handful of instructions instead of every alternative's first char.
 * - Empty-width assertions: `^` depends on the previous char only and is resolved when a state is
 *   built (the state records the previous char's kind: start-or-line-terminator, word char,
 *   other). `$`, `\b`, `\B` also need the next char: they stay in the state as instructions and
 *   are resolved on the transition, when both chars are known, or at the end of the input.
 * - Early exit: a transition that reaches Match is stored as -1 and the scan returns true.
 * - Bounded memory: the cache (rows and instruction sets) has a byte budget. When a new state
 *   would pass it, the cache is flushed and the scan goes on from the new state (RE2 does the
 *   same). When flushes come too fast on one input (a second flush in one scan with fewer than 10
 *   chars scanned per state built since the previous one, RE2's rule), the scan finishes as a plain NFA simulation without cache:
 *   O(input × NFA size), linear in the input whatever it holds. Building a state is itself
 *   O(NFA size), so no call is ever worse than linear.
 * - Chars outside the alphabet (above U+0100; translated inputs never hold one) are answered by
 *   the V8 RegExp the matcher was given.
 */

import { type Nfa, Op } from "./nfa.js";
import { Assert } from "./parse.js";

/** Kind of the previous char (or position): what `^` and `\b` need to know. */
const K_LINE = 0; // start of input or after a line terminator (a non-word char)
const K_WORD = 1;
const K_OTHER = 2;

const MATCH = -1;
const GIVE_UP = -2;

/** Default cache budget per pattern, in bytes (transition rows and instruction sets). */
export const DEFAULT_CACHE_BYTES = 1 << 20;

/** Per-state bookkeeping besides its row and set: kind, set start/length, end flag, hash chain. */
const STATE_OVERHEAD = 14;

export interface LazyDfaStats {
  /** NFA instructions. */
  readonly instructions: number;
  /** Byte classes: the width of a transition row. */
  readonly classes: number;
  /** States now cached. */
  readonly states: number;
  /** Bytes now used by the cache (rows × classes × 4 plus instruction sets and bookkeeping). */
  readonly cacheBytes: number;
  /**
   * The cache budget in force: the one asked for, raised when needed so that the start state and
   * two of the largest possible states fit (8 × instructions + 3 rows).
   */
  readonly budgetBytes: number;
  /** Cache flushes and NFA-simulation fallbacks since the matcher was built. */
  readonly flushes: number;
  readonly simulations: number;
  /** States built since the matcher was built (each costs O(NFA size)). */
  readonly statesBuilt: number;
  /**
   * Instructions visited while building states or simulating, since the matcher was built: the
   * work beyond the one table read per char of a warm scan.
   */
  readonly work: number;
}

export class LazyDfa {
  private readonly op: Uint8Array;
  private readonly out1: Int32Array;
  private readonly out2: Int32Array;
  private readonly arg: Int32Array;
  private readonly member: Uint8Array;
  private readonly isWord: Uint8Array;
  private readonly isLine: Uint8Array;
  private readonly classOf: Uint8Array;
  private readonly width: number;
  /** Class → kind of that char as the previous char, normalized to what the pattern tests. */
  private readonly kindOf: Uint8Array;
  private readonly startKind: number;
  /** Per kind: instructions kept from the start closure, all instructions it visits, Match reached. */
  private readonly startSet: Int32Array[] = [];
  private readonly startVisited: Int32Array[] = [];
  private readonly startMatch: boolean[] = [];
  /** The pattern matches the empty string at position 0: every input matches. */
  private readonly always: boolean;
  private readonly maxBytes: number;

  // Scratch (one scan at a time).
  private readonly marks: Uint32Array;
  private gen = 0;
  private readonly stack: Int32Array;
  private readonly seeds: Int32Array;
  private seedCount = 0;
  private buf: Int32Array;
  private buf2: Int32Array;

  // Cache. State ids start at 1; table entries: 0 unknown, -1 match, else the next state's row
  // offset (id × width), which saves the scan a multiplication per char.
  private cap = 0;
  private table = new Int32Array(0);
  private stKind = new Uint8Array(0);
  private stSetStart = new Int32Array(0);
  private stSetLen = new Int32Array(0);
  /** 0 unknown, 1 no match at the end of the input, 2 match. */
  private stEnd = new Uint8Array(0);
  private stChain = new Int32Array(0);
  private pool = new Int32Array(0);
  private poolUsed = 0;
  private stateCount = 0;
  private readonly hashHead = new Map<number, number>();
  private startState = 0;

  // Per scan: flush pacing. Input index of the scan's last flush, -1 before its first.
  private lastFlushAt = -1;
  /** `statesBuilt` at the last flush (or the start of the scan). */
  private builtMark = 0;
  private simKind = 0;
  private simLen = 0;

  private flushes = 0;
  private simulations = 0;
  private statesBuilt = 0;
  private work = 0;

  constructor(
    nfa: Nfa,
    private readonly fallback: RegExp,
    maxCacheBytes = DEFAULT_CACHE_BYTES,
  ) {
    this.op = nfa.op;
    this.out1 = nfa.out1;
    this.out2 = nfa.out2;
    this.arg = nfa.arg;
    this.member = nfa.member;
    this.isWord = nfa.isWord;
    this.isLine = nfa.isLineTerminator;
    this.classOf = nfa.classOf;
    this.width = nfa.classCount;
    const n = nfa.op.length;
    this.marks = new Uint32Array(n);
    this.stack = new Int32Array(n + 1);
    this.seeds = new Int32Array(2 * n + 1);
    this.buf = new Int32Array(n + 1);
    this.buf2 = new Int32Array(n + 1);

    const usesLine = (nfa.asserts & (1 << Assert.Bol)) !== 0;
    const usesWord = (nfa.asserts & ((1 << Assert.WordBoundary) | (1 << Assert.NotWordBoundary))) !== 0;
    this.kindOf = new Uint8Array(this.width);
    for (let k = 0; k < this.width; k++) {
      this.kindOf[k] =
        usesLine && this.isLine[k] === 1 ? K_LINE : usesWord && this.isWord[k] === 1 ? K_WORD : K_OTHER;
    }
    this.startKind = usesLine ? K_LINE : K_OTHER;

    for (let kind = 0; kind < 3; kind++) {
      const g = this.nextGen();
      const visited: number[] = [];
      const kept: number[] = [];
      let matched = false;
      let sp = 0;
      this.marks[nfa.start] = g;
      this.stack[sp++] = nfa.start;
      while (sp > 0) {
        const pc = this.stack[--sp] as number;
        visited.push(pc);
        switch (this.op[pc]) {
          case Op.Char:
            kept.push(pc);
            break;
          case Op.Split:
            sp = this.push(this.out1[pc] as number, g, sp);
            sp = this.push(this.out2[pc] as number, g, sp);
            break;
          case Op.Assert:
            if (this.arg[pc] !== Assert.Bol) kept.push(pc);
            else if (kind === K_LINE) sp = this.push(this.out1[pc] as number, g, sp);
            break;
          default:
            matched = true;
        }
      }
      this.startSet.push(Int32Array.from(kept));
      this.startVisited.push(Int32Array.from(visited));
      this.startMatch.push(matched);
    }
    this.always = this.startMatch[this.startKind] as boolean;
    // At least the start state and two more fit, whatever the budget.
    this.maxBytes = Math.max(maxCacheBytes, 3 * (this.width * 4 + STATE_OVERHEAD) + 8 * n);
    this.grow(16);
    this.startState = this.internEmpty(this.startKind);
  }

  /** RegExp#test on the translated pattern: true when it matches anywhere in `input`. */
  test(input: string): boolean {
    if (this.always) return true;
    const W = this.width;
    const classOf = this.classOf;
    let table = this.table;
    // A state is held as the offset of its row (id × W), as table entries store it.
    let s = this.startState * W;
    this.lastFlushAt = -1;
    this.builtMark = this.statesBuilt;
    const n = input.length;
    let i = 0;
    for (;;) {
      // The hot loop: one table read per char while the states met exist.
      for (; i < n; i++) {
        const c = input.charCodeAt(i);
        if (c > 256) break;
        const t = table[s + (classOf[c] as number)] as number;
        if (t <= 0) break;
        s = t;
      }
      if (i >= n) return this.endMatches(s / W);
      const c = input.charCodeAt(i);
      if (c > 256) return this.fallback.test(input);
      const cls = classOf[c] as number;
      if ((table[s + cls] as number) < 0) return true;
      const r = this.transition(s / W, cls, i);
      if (r === MATCH) return true;
      if (r === GIVE_UP) return this.simulate(input, i + 1);
      s = r * W;
      table = this.table;
      i++;
    }
  }

  stats(): LazyDfaStats {
    return {
      instructions: this.op.length,
      classes: this.width,
      states: this.stateCount,
      cacheBytes: this.cacheBytes(this.stateCount, this.poolUsed),
      budgetBytes: this.maxBytes,
      flushes: this.flushes,
      simulations: this.simulations,
      statesBuilt: this.statesBuilt,
      work: this.work,
    };
  }

  private cacheBytes(states: number, pool: number): number {
    return states * (this.width * 4 + STATE_OVERHEAD) + pool * 4;
  }

  private nextGen(): number {
    if (this.gen === 0xffffffff) {
      this.marks.fill(0);
      this.gen = 0;
    }
    return ++this.gen;
  }

  private push(pc: number, g: number, sp: number): number {
    if (this.marks[pc] !== g) {
      this.marks[pc] = g;
      this.stack[sp++] = pc;
    }
    return sp;
  }

  /** Whether assertion `a` holds between a char of kind `prev` and class `cls` (-1: end of input). */
  private holds(a: number, prev: number, cls: number): boolean {
    switch (a) {
      case Assert.Bol:
        return prev === K_LINE;
      case Assert.Eol:
        return cls < 0 || this.isLine[cls] === 1;
      case Assert.WordBoundary:
        return (prev === K_WORD) !== (cls >= 0 && this.isWord[cls] === 1);
      default:
        return (prev === K_WORD) === (cls >= 0 && this.isWord[cls] === 1);
    }
  }

  /**
   * Follows a passed assertion's continuation with both sides known (`cls` -1: end of input):
   * Char instructions that take `cls` add their successor to `seeds`. True when Match is reached.
   */
  private followKnown(from: number, prev: number, cls: number, g: number): boolean {
    let sp = this.push(from, g, 0);
    const W = this.width;
    while (sp > 0) {
      const pc = this.stack[--sp] as number;
      this.work++;
      switch (this.op[pc]) {
        case Op.Char:
          if (cls >= 0 && this.member[(this.arg[pc] as number) * W + cls] === 1)
            this.seeds[this.seedCount++] = this.out1[pc] as number;
          break;
        case Op.Split:
          sp = this.push(this.out1[pc] as number, g, sp);
          sp = this.push(this.out2[pc] as number, g, sp);
          break;
        case Op.Assert:
          if (this.holds(this.arg[pc] as number, prev, cls)) sp = this.push(this.out1[pc] as number, g, sp);
          break;
        default:
          return true;
      }
    }
    return false;
  }

  /** Steps one instruction of a state's set over `cls`. True when Match is reached before the char. */
  private stepInst(pc: number, prev: number, cls: number, g: number): boolean {
    if (this.op[pc] === Op.Char) {
      if (this.member[(this.arg[pc] as number) * this.width + cls] === 1)
        this.seeds[this.seedCount++] = this.out1[pc] as number;
      return false;
    }
    // Assert ($ \b \B): resolved now that the next char is known.
    return (
      this.holds(this.arg[pc] as number, prev, cls) && this.followKnown(this.out1[pc] as number, prev, cls, g)
    );
  }

  /**
   * The state after `cls` from (kind `prev`, start closure + set[at, at+len)): writes its extra
   * instructions into `dst` and returns their count, or MATCH.
   */
  private step(prev: number, set: Int32Array, at: number, len: number, cls: number, dst: Int32Array): number {
    this.seedCount = 0;
    const g1 = this.nextGen();
    const ss = this.startSet[prev] as Int32Array;
    for (let j = 0; j < ss.length; j++) if (this.stepInst(ss[j] as number, prev, cls, g1)) return MATCH;
    for (let j = at; j < at + len; j++) if (this.stepInst(set[j] as number, prev, cls, g1)) return MATCH;

    const kind = this.kindOf[cls] as number;
    if (this.startMatch[kind]) return MATCH;
    const g = this.nextGen();
    const visited = this.startVisited[kind] as Int32Array;
    for (let j = 0; j < visited.length; j++) this.marks[visited[j] as number] = g;
    let sp = 0;
    for (let j = 0; j < this.seedCount; j++) sp = this.push(this.seeds[j] as number, g, sp);
    let out = 0;
    this.work += ss.length + len + visited.length + this.seedCount;
    while (sp > 0) {
      const pc = this.stack[--sp] as number;
      this.work++;
      switch (this.op[pc]) {
        case Op.Char:
          dst[out++] = pc;
          break;
        case Op.Split:
          sp = this.push(this.out1[pc] as number, g, sp);
          sp = this.push(this.out2[pc] as number, g, sp);
          break;
        case Op.Assert:
          if (this.arg[pc] !== Assert.Bol) dst[out++] = pc;
          else if (kind === K_LINE) sp = this.push(this.out1[pc] as number, g, sp);
          break;
        default:
          return MATCH;
      }
    }
    return out;
  }

  /** Whether the pattern matches at the end of the input from (kind, start closure + set). */
  private endOf(prev: number, set: Int32Array, at: number, len: number): boolean {
    const g = this.nextGen();
    this.seedCount = 0;
    const ss = this.startSet[prev] as Int32Array;
    for (let j = 0; j < ss.length + len; j++) {
      const pc = (j < ss.length ? ss[j] : set[at + j - ss.length]) as number;
      if (
        this.op[pc] === Op.Assert &&
        this.holds(this.arg[pc] as number, prev, -1) &&
        this.followKnown(this.out1[pc] as number, prev, -1, g)
      )
        return true;
    }
    return false;
  }

  private endMatches(s: number): boolean {
    const e = this.stEnd[s] as number;
    if (e !== 0) return e === 2;
    const m = this.endOf(
      this.stKind[s] as number,
      this.pool,
      this.stSetStart[s] as number,
      this.stSetLen[s] as number,
    );
    this.stEnd[s] = m ? 2 : 1;
    return m;
  }

  /** Builds (or finds) the state after `cls` from state `s`, at input index `i`. */
  private transition(s: number, cls: number, i: number): number {
    const len = this.step(
      this.stKind[s] as number,
      this.pool,
      this.stSetStart[s] as number,
      this.stSetLen[s] as number,
      cls,
      this.buf,
    );
    const row = s * this.width + cls;
    if (len === MATCH) {
      this.table[row] = -1;
      return MATCH;
    }
    const kind = this.kindOf[cls] as number;
    this.buf.subarray(0, len).sort();
    const found = this.find(kind, len);
    if (found > 0) {
      this.table[row] = found * this.width;
      return found;
    }
    if (this.cacheBytes(this.stateCount + 1, this.poolUsed + len) > this.maxBytes && this.stateCount > 2) {
      const built = this.statesBuilt - this.builtMark;
      this.flush();
      // The first flush of a scan only says earlier scans filled the cache.
      if (this.lastFlushAt >= 0 && i - this.lastFlushAt < 10 * built) {
        // The cache does not pay on this input: finish without it.
        this.simulations++;
        this.simKind = kind;
        this.simLen = len;
        return GIVE_UP;
      }
      this.lastFlushAt = i;
      this.builtMark = this.statesBuilt;
      return this.intern(kind, len);
    }
    const id = this.intern(kind, len);
    this.table[row] = id * this.width;
    return id;
  }

  /** NFA simulation from input index `from`, starting from the set left in `buf` by transition(). */
  private simulate(input: string, from: number): boolean {
    let kind = this.simKind;
    let len = this.simLen;
    let cur = this.buf;
    let next = this.buf2;
    for (let i = from; i < input.length; i++) {
      const c = input.charCodeAt(i);
      if (c > 256) return this.fallback.test(input);
      const cls = this.classOf[c] as number;
      len = this.step(kind, cur, 0, len, cls, next);
      if (len === MATCH) return true;
      kind = this.kindOf[cls] as number;
      const t = cur;
      cur = next;
      next = t;
    }
    const m = this.endOf(kind, cur, 0, len);
    this.buf = cur;
    this.buf2 = next;
    return m;
  }

  private hash(kind: number, len: number): number {
    let h = Math.imul(kind + 1, 0x9e3779b1);
    for (let j = 0; j < len; j++) h = Math.imul(h ^ (this.buf[j] as number), 0x01000193);
    return h >>> 0;
  }

  /** The state (kind, buf[0, len)), or 0. */
  private find(kind: number, len: number): number {
    let id = this.hashHead.get(this.hash(kind, len)) ?? 0;
    while (id !== 0) {
      if (this.stKind[id] === kind && this.stSetLen[id] === len) {
        const at = this.stSetStart[id] as number;
        let j = 0;
        while (j < len && this.pool[at + j] === this.buf[j]) j++;
        if (j === len) return id;
      }
      id = this.stChain[id] as number;
    }
    return 0;
  }

  /** Adds the state (kind, buf[0, len)); returns its id. */
  private intern(kind: number, len: number): number {
    const id = ++this.stateCount;
    if (id >= this.cap) this.grow(this.cap * 2);
    if (this.poolUsed + len > this.pool.length) {
      const p = new Int32Array(Math.max(this.pool.length * 2, this.poolUsed + len, 256));
      p.set(this.pool.subarray(0, this.poolUsed));
      this.pool = p;
    }
    this.pool.set(this.buf.subarray(0, len), this.poolUsed);
    this.stKind[id] = kind;
    this.stSetStart[id] = this.poolUsed;
    this.stSetLen[id] = len;
    this.stEnd[id] = 0;
    this.poolUsed += len;
    const h = this.hash(kind, len);
    this.stChain[id] = this.hashHead.get(h) ?? 0;
    this.hashHead.set(h, id);
    this.statesBuilt++;
    return id;
  }

  private grow(cap: number): void {
    const W = this.width;
    const table = new Int32Array(cap * W);
    table.set(this.table);
    this.table = table;
    const copy = <T extends Uint8Array | Int32Array>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    this.stKind = copy(this.stKind, new Uint8Array(cap));
    this.stSetStart = copy(this.stSetStart, new Int32Array(cap));
    this.stSetLen = copy(this.stSetLen, new Int32Array(cap));
    this.stEnd = copy(this.stEnd, new Uint8Array(cap));
    this.stChain = copy(this.stChain, new Int32Array(cap));
    this.cap = cap;
  }

  /** Empties the cache and rebuilds the start state. */
  private flush(): void {
    this.flushes++;
    this.table.fill(0, 0, (this.stateCount + 1) * this.width);
    this.hashHead.clear();
    this.stateCount = 0;
    this.poolUsed = 0;
    // The start state holds nothing beyond the start closure; `buf` keeps the pending state.
    this.startState = this.internEmpty(this.startKind);
  }

  private internEmpty(kind: number): number {
    const id = ++this.stateCount;
    this.stKind[id] = kind;
    this.stSetStart[id] = this.poolUsed;
    this.stSetLen[id] = 0;
    this.stEnd[id] = 0;
    const h = Math.imul(kind + 1, 0x9e3779b1) >>> 0;
    this.stChain[id] = this.hashHead.get(h) ?? 0;
    this.hashHead.set(h, id);
    this.statesBuilt++;
    return id;
  }
}

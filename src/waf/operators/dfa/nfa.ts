/**
 * Thompson NFA for the DFA matcher (K. Thompson, CACM 11(6), 1968), over byte classes: the 257
 * alphabet symbols (parse.ts) are split into equivalence classes the pattern never distinguishes
 * (RE2's "byte classes"), so a DFA row has one entry per class instead of per symbol.
 *
 * Instructions live in parallel typed arrays. `Char` steps on a class in its set, `Split` forks,
 * `Assert` is an empty-width test (^ $ \b \B) resolved by the DFA once it knows the chars on both
 * sides, `Match` accepts. Built back to front (each node is compiled with its continuation known),
 * so no patch lists are needed; counted repeats are expanded into copies.
 */
import { Assert, lineTerminatorSet, type Node, SYMBOLS, Unsupported, wordSet } from "./parse.js";

/** Instruction opcodes. */
export const Op = {
  Char: 0,
  Split: 1,
  Assert: 2,
  Match: 3,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

/**
 * Most instructions a pattern may compile to; larger patterns are left to V8. CRS 4.28's largest
 * need 6 565 (933151; 932235 needs 3 659). Building a DFA state, and a char of NFA simulation, cost
 * up to the number of instructions, so this bounds the worst cost per char (~3× CRS's largest).
 */
export const MAX_INSTRUCTIONS = 20_000;

export interface Nfa {
  /** Per instruction: Op. */
  readonly op: Uint8Array;
  /** Char, Assert: next instruction; Split: first branch. */
  readonly out1: Int32Array;
  /** Split: second branch. */
  readonly out2: Int32Array;
  /** Char: set id (row of `member`); Assert: the Assert kind. */
  readonly arg: Int32Array;
  readonly start: number;
  /** Symbol (0–256) → class (at most 256 classes: a pattern telling all 257 symbols apart is declined). */
  readonly classOf: Uint8Array;
  readonly classCount: number;
  /** setId × classCount + class → 1 when the set holds the class. */
  readonly member: Uint8Array;
  /** Per class: 1 when it is a JS word char / a line terminator (\n, \r). */
  readonly isWord: Uint8Array;
  readonly isLineTerminator: Uint8Array;
  /** Which assertions occur (bit 1 << Assert kind). */
  readonly asserts: number;
}

/** Compiles a parsed pattern; throws Unsupported past MAX_INSTRUCTIONS. */
export function buildNfa(root: Node, maxInstructions = MAX_INSTRUCTIONS): Nfa {
  const op: number[] = [];
  const out1: number[] = [];
  const out2: number[] = [];
  const arg: number[] = [];
  const sets: Uint8Array[] = [];
  const setIds = new Map<string, number>();
  let asserts = 0;

  const emit = (o: Op, a: number, b: number, x: number): number => {
    if (op.length >= maxInstructions) throw new Unsupported("pattern too large for the DFA", 0);
    op.push(o);
    out1.push(a);
    out2.push(b);
    arg.push(x);
    return op.length - 1;
  };

  const setId = (set: Uint8Array): number => {
    const key = Buffer.from(set.buffer, set.byteOffset, set.byteLength).toString("latin1");
    let id = setIds.get(key);
    if (id === undefined) {
      id = sets.length;
      sets.push(set);
      setIds.set(key, id);
    }
    return id;
  };

  /** Entry instruction of `node` followed by `next`. */
  const compile = (node: Node, next: number): number => {
    switch (node.t) {
      case "empty":
        return next;
      case "set":
        return emit(Op.Char, next, -1, setId(node.set));
      case "assert":
        asserts |= 1 << node.kind;
        return emit(Op.Assert, next, -1, node.kind);
      case "cat": {
        let e = next;
        for (let k = node.items.length - 1; k >= 0; k--) e = compile(node.items[k] as Node, e);
        return e;
      }
      case "alt": {
        const entries = node.items.map((item) => compile(item, next));
        let e = entries[entries.length - 1] as number;
        for (let k = entries.length - 2; k >= 0; k--) e = emit(Op.Split, entries[k] as number, e, 0);
        return e;
      }
      case "rep": {
        let e = next;
        if (node.max === -1) {
          const loop = emit(Op.Split, -1, next, 0);
          out1[loop] = compile(node.node, loop);
          e = loop;
        } else {
          for (let k = node.min; k < node.max; k++) e = emit(Op.Split, compile(node.node, e), next, 0);
        }
        for (let k = 0; k < node.min; k++) e = compile(node.node, e);
        return e;
      }
    }
  };

  const match = emit(Op.Match, -1, -1, 0);
  const start = compile(root, match);

  // Byte classes: refine one partition of the symbols by every set (and the word / line-terminator
  // sets when assertions need them).
  const refiners = [...sets];
  if (asserts & ((1 << Assert.WordBoundary) | (1 << Assert.NotWordBoundary))) refiners.push(wordSet());
  if (asserts & ((1 << Assert.Bol) | (1 << Assert.Eol))) refiners.push(lineTerminatorSet());
  let classOf = new Uint16Array(SYMBOLS);
  let classCount = 1;
  for (const set of refiners) {
    const remap = new Int32Array(classCount * 2).fill(-1);
    const next = new Uint16Array(SYMBOLS);
    let count = 0;
    for (let c = 0; c < SYMBOLS; c++) {
      const key = (classOf[c] as number) * 2 + (set[c] as number);
      if ((remap[key] as number) < 0) remap[key] = count++;
      next[c] = remap[key] as number;
    }
    classOf = next;
    classCount = count;
  }
  if (classCount > 256) throw new Unsupported("every symbol is its own class", 0);
  const rep = new Int32Array(classCount).fill(-1);
  for (let c = 0; c < SYMBOLS; c++)
    if ((rep[classOf[c] as number] as number) < 0) rep[classOf[c] as number] = c;
  const member = new Uint8Array(sets.length * classCount);
  sets.forEach((set, id) => {
    for (let k = 0; k < classCount; k++) member[id * classCount + k] = set[rep[k] as number] as number;
  });
  const words = wordSet();
  const lts = lineTerminatorSet();
  const isWord = new Uint8Array(classCount);
  const isLineTerminator = new Uint8Array(classCount);
  for (let k = 0; k < classCount; k++) {
    isWord[k] = words[rep[k] as number] as number;
    isLineTerminator[k] = lts[rep[k] as number] as number;
  }

  return {
    op: Uint8Array.from(op),
    out1: Int32Array.from(out1),
    out2: Int32Array.from(out2),
    arg: Int32Array.from(arg),
    start,
    classOf: Uint8Array.from(classOf),
    classCount,
    member,
    isWord,
    isLineTerminator,
    asserts,
  };
}

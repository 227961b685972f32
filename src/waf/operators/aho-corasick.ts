/**
 * Aho–Corasick multi-phrase search over byte strings, ASCII case-insensitive, for @pm and
 * @pmFromFile (A. V. Aho, M. J. Corasick, "Efficient string matching: an aid to bibliographic
 * search", CACM 18(6), 1975). Built once at rule load; a search allocates nothing.
 *
 * As ModSecurity's acmp (src/utils/acmp.cc) the search stops at the first position where some
 * phrase ends; among phrases ending there it reports the longest. Case folding is ASCII only
 * (C locale `tolower`), so bytes 0x80–0xFF match exactly.
 *
 * Layout: children of every node are kept sorted in flat typed arrays (binary search per step),
 * and the root has a 256-entry table, since most steps of a scan restart at the root. Memory is
 * a few bytes per trie node, so a 75 KB data file (php-errors.data) stays small.
 */

export interface PhraseMatch {
  /** Offset in the input where the phrase starts. */
  readonly start: number;
  /** Offset just past its end. */
  readonly end: number;
}

const lower = (c: number): number => (c >= 65 && c <= 90 ? c | 32 : c);

export class AhoCorasick {
  /** Per node: first index into childBytes/childNodes, and count. */
  private readonly childStart: Int32Array;
  private readonly childCount: Int32Array;
  private readonly childBytes: Uint8Array;
  private readonly childNodes: Int32Array;
  private readonly fail: Int32Array;
  /** Length of the longest phrase that ends at this node (itself or via fail links); 0 = none. */
  private readonly outLen: Int32Array;
  private readonly rootNext: Int32Array;
  readonly size: number;

  constructor(phrases: readonly string[]) {
    // Build a pointer trie first, then flatten.
    const kids: Array<Map<number, number>> = [new Map()];
    const own: number[] = [0];
    for (const phrase of phrases) {
      if (phrase.length === 0) continue;
      let node = 0;
      for (let i = 0; i < phrase.length; i++) {
        const c = lower(phrase.charCodeAt(i) & 0xff);
        const k = kids[node] as Map<number, number>;
        let next = k.get(c);
        if (next === undefined) {
          next = kids.length;
          kids.push(new Map());
          own.push(0);
          k.set(c, next);
        }
        node = next;
      }
      own[node] = Math.max(own[node] as number, phrase.length);
    }
    const n = kids.length;
    this.size = n - 1;
    this.childStart = new Int32Array(n);
    this.childCount = new Int32Array(n);
    this.childBytes = new Uint8Array(n);
    this.childNodes = new Int32Array(n);
    this.fail = new Int32Array(n);
    this.outLen = new Int32Array(n);
    this.rootNext = new Int32Array(256);
    let at = 0;
    for (let v = 0; v < n; v++) {
      const entries = [...(kids[v] as Map<number, number>).entries()].sort((a, b) => a[0] - b[0]);
      this.childStart[v] = at;
      this.childCount[v] = entries.length;
      for (const [b, child] of entries) {
        this.childBytes[at] = b;
        this.childNodes[at] = child;
        at++;
      }
    }
    for (const [b, child] of (kids[0] as Map<number, number>).entries()) this.rootNext[b] = child;
    // Breadth-first fail links.
    const queue: number[] = [];
    for (const child of (kids[0] as Map<number, number>).values()) {
      this.fail[child] = 0;
      this.outLen[child] = own[child] as number;
      queue.push(child);
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const v = queue[qi] as number;
      for (const [b, child] of (kids[v] as Map<number, number>).entries()) {
        let f = this.fail[v] as number;
        let target = this.step(f, b);
        while (target < 0 && f !== 0) {
          f = this.fail[f] as number;
          target = this.step(f, b);
        }
        this.fail[child] = Math.max(target, 0);
        this.outLen[child] = Math.max(
          own[child] as number,
          this.outLen[this.fail[child] as number] as number,
        );
        queue.push(child);
      }
    }
  }

  /** Child of `node` on byte `b`, or -1 (root: 0 means none). */
  private step(node: number, b: number): number {
    if (node === 0) {
      const r = this.rootNext[b] as number;
      return r === 0 ? -1 : r;
    }
    let lo = this.childStart[node] as number;
    let hi = lo + (this.childCount[node] as number) - 1;
    const bytes = this.childBytes;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = bytes[mid] as number;
      if (m === b) return this.childNodes[mid] as number;
      if (m < b) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** End offset of the first phrase found (earliest end), or -1. Use `lastLength` for its length. */
  searchEnd(input: string): number {
    let node = 0;
    const n = input.length;
    const rootNext = this.rootNext;
    const outLen = this.outLen;
    for (let i = 0; i < n; i++) {
      const c = lower(input.charCodeAt(i) & 0xff);
      if (node === 0) {
        node = rootNext[c] as number;
      } else {
        let next = this.step(node, c);
        while (next < 0 && node !== 0) {
          node = this.fail[node] as number;
          next = this.step(node, c);
        }
        node = Math.max(next, 0);
      }
      if (node !== 0 && (outLen[node] as number) > 0) {
        this.lastLength = outLen[node] as number;
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

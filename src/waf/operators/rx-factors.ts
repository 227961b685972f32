/**
 * Factor sets for @rx: for a translated pattern (regex.ts output, JS syntax), a set of strings one
 * of which every match must contain, ASCII case folded. Where rx-prefilter.ts finds one literal at
 * the top level of a pattern, this walks the whole pattern, so alternations give sets
 * (`(?:union|select)\b` → {union, select}). It is the "prefilter" of RE2 (re2/prefilter.cc: exact
 * sets crossed over concatenations while small, then an AND/OR of required strings), reduced to
 * one OR set per pattern: of the sets a concatenation requires, the most selective is kept.
 *
 * Sound by construction: every rule below only forgets constraints. The domain is lower-cased
 * printable ASCII; a character class becomes a set of single chars only when it holds at most
 * four chars after folding (`[Ss]` → {s}), else it constrains nothing. Lookarounds, anchors and
 * `\b` match the empty string; back-references, `.` and wide classes constrain nothing.
 */

/** What is known of the strings a sub-pattern matches: exactly one of `exact`, or contains one of `any`. */
type Info =
  | { readonly kind: "exact"; readonly set: ReadonlySet<string> }
  | { readonly kind: "any"; readonly set: ReadonlySet<string> }
  | undefined; // nothing known

const MAX_EXACT = 64;
const MAX_EXACT_LENGTH = 24;
const MAX_CLASS = 4;
const EMPTY: Info = { kind: "exact", set: new Set([""]) };
const exact = (set: ReadonlySet<string>): Info => ({ kind: "exact", set });

/** ASCII lower case of one char code, or -1 when it cannot be part of a factor. */
function foldCode(c: number): number {
  if (c < 0x20 || c > 0x7e) return -1;
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** An exact set as an any-set: a set holding "" constrains nothing. */
function toAny(info: Info): Info {
  if (info === undefined || info.kind === "any") return info;
  for (const s of info.set) if (s.length === 0) return undefined;
  return { kind: "any", set: info.set };
}

/** Higher is more selective: the shortest string counts most, then fewer strings. */
function score(set: ReadonlySet<string>): number {
  let min = Number.POSITIVE_INFINITY;
  for (const s of set) min = Math.min(min, s.length);
  return min * 1000 - Math.min(set.size, 999);
}

function better(a: Info, b: Info): Info {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return score(a.set) >= score(b.set) ? a : b;
}

function cross(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> | undefined {
  if (a.size * b.size > MAX_EXACT) return undefined;
  const out = new Set<string>();
  for (const x of a)
    for (const y of b) {
      if (x.length + y.length > MAX_EXACT_LENGTH) return undefined;
      out.add(x + y);
    }
  return out;
}

function concat(parts: readonly Info[]): Info {
  let run: Set<string> | undefined = new Set([""]);
  let best: Info;
  const flush = (): void => {
    if (run !== undefined) best = better(best, toAny(exact(run)));
    run = undefined;
  };
  let allExact = true;
  for (const p of parts) {
    if (p !== undefined && p.kind === "exact") {
      if (run === undefined) run = new Set(p.set);
      else {
        const next = cross(run, p.set);
        if (next === undefined) {
          allExact = false;
          flush();
          run = new Set(p.set);
        } else run = next;
      }
    } else {
      allExact = false;
      flush();
      best = better(best, p);
    }
  }
  if (allExact && run !== undefined) return exact(run);
  flush();
  return best;
}

function alternate(branches: readonly Info[]): Info {
  if (branches.every((b) => b !== undefined && b.kind === "exact")) {
    const out = new Set<string>();
    for (const b of branches) for (const s of b!.set) out.add(s);
    if (out.size <= MAX_EXACT) return exact(out);
  }
  const out = new Set<string>();
  for (const b of branches) {
    const a = toAny(b);
    if (a === undefined) return undefined;
    for (const s of a.set) out.add(s);
  }
  return { kind: "any", set: out };
}

class FactorParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): Info {
    const info = this.alternation();
    if (this.pos !== this.src.length) throw new Error(`unexpected ${this.src[this.pos]} at ${this.pos}`);
    return info;
  }

  private alternation(): Info {
    const branches: Info[] = [this.sequence()];
    while (this.src[this.pos] === "|") {
      this.pos++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0] : alternate(branches);
  }

  private sequence(): Info {
    const parts: Info[] = [];
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c === "|" || c === ")") break;
      parts.push(this.quantified(this.atom()));
    }
    return parts.length === 0 ? EMPTY : concat(parts);
  }

  private quantified(atom: Info): Info {
    const s = this.src;
    const c = s[this.pos];
    let min: number;
    let max: number;
    if (c === "*" || c === "+" || c === "?") {
      this.pos++;
      min = c === "+" ? 1 : 0;
      max = c === "?" ? 1 : Number.POSITIVE_INFINITY;
    } else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.pos, this.pos + 24));
      if (m === null) return atom; // not a quantifier (the translator escapes literal braces)
      this.pos += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === "" ? Number.POSITIVE_INFINITY : Number(m[3]);
    } else return atom;
    if (s[this.pos] === "?") this.pos++; // lazy
    if (min === 0) {
      // Zero or one copy: exactly one of the atom's strings or "". More copies: nothing known
      // (not EMPTY: `.*` matches text, which a concatenation must not cross over).
      if (max === 1 && atom !== undefined && atom.kind === "exact") return exact(new Set([...atom.set, ""]));
      return undefined;
    }
    if (min === 1 && max === 1) return atom;
    return toAny(atom); // at least one copy: whatever one copy must contain
  }

  private atom(): Info {
    const s = this.src;
    const c = s[this.pos] as string;
    if (c === "(") return this.group();
    if (c === "[") return this.charClass();
    if (c === "\\") return this.escape(false).info;
    this.pos++;
    if (c === ".") return undefined;
    if (c === "^" || c === "$") return EMPTY;
    return single(c.charCodeAt(0));
  }

  private group(): Info {
    const s = this.src;
    this.pos++; // (
    let lookaround = false;
    if (s[this.pos] === "?") {
      const rest = s.slice(this.pos, this.pos + 3);
      if (rest.startsWith("?:")) this.pos += 2;
      else if (rest.startsWith("?=") || rest.startsWith("?!")) {
        this.pos += 2;
        lookaround = true;
      } else if (rest.startsWith("?<=") || rest.startsWith("?<!")) {
        this.pos += 3;
        lookaround = true;
      } else if (rest.startsWith("?<")) {
        const end = s.indexOf(">", this.pos);
        if (end < 0) throw new Error("unterminated group name");
        this.pos = end + 1;
      } else throw new Error(`unknown group syntax at ${this.pos}`);
    }
    const inner = this.alternation();
    if (s[this.pos] !== ")") throw new Error(`missing ) at ${this.pos}`);
    this.pos++;
    return lookaround ? EMPTY : inner;
  }

  /** Reads an escape; `info` for its use as an atom, `codes` for its use in a class. */
  private escape(inClass: boolean): { info: Info; codes: number[] | undefined } {
    const s = this.src;
    const d = s[this.pos + 1];
    if (d === undefined) throw new Error("trailing backslash");
    this.pos += 2;
    if (d === "x") {
      const code = Number.parseInt(s.slice(this.pos, this.pos + 2), 16);
      this.pos += 2;
      return { info: single(code), codes: [code] };
    }
    if (d === "u") {
      const code = Number.parseInt(s.slice(this.pos, this.pos + 4), 16);
      this.pos += 4;
      return { info: single(code), codes: [code] };
    }
    if (d === "b" || d === "B")
      return { info: inClass ? undefined : EMPTY, codes: inClass ? [8] : undefined };
    if (/[1-9]/.test(d)) {
      while (/[0-9]/.test(s[this.pos] ?? "")) this.pos++;
      return { info: undefined, codes: undefined };
    }
    const controls: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11, "0": 0 };
    if (d in controls) return { info: single(controls[d]!), codes: [controls[d]!] };
    if (/[dDwWsS]/.test(d)) return { info: undefined, codes: undefined };
    if (/[A-Za-z]/.test(d)) throw new Error(`unknown escape \\${d}`);
    const code = d.charCodeAt(0);
    return { info: single(code), codes: [code] };
  }

  private charClass(): Info {
    const s = this.src;
    this.pos++; // [
    let negated = false;
    if (s[this.pos] === "^") {
      negated = true;
      this.pos++;
    }
    const codes = new Set<number>();
    let wide = false;
    let prev: number | undefined;
    while (this.pos < s.length && s[this.pos] !== "]") {
      let got: number[] | undefined;
      if (s[this.pos] === "\\") got = this.escape(true).codes;
      else got = [s.charCodeAt(this.pos++)];
      if (got === undefined) {
        wide = true;
        prev = undefined;
        continue;
      }
      if (s[this.pos] === "-" && s[this.pos + 1] !== "]" && got.length === 1) {
        this.pos++;
        let hi: number[] | undefined;
        if (s[this.pos] === "\\") hi = this.escape(true).codes;
        else hi = [s.charCodeAt(this.pos++)];
        if (hi === undefined) throw new Error("class range ends in a class escape");
        const lo = got[0]!;
        if (hi[0]! - lo > 64) wide = true;
        else for (let k = lo; k <= hi[0]!; k++) codes.add(k);
        prev = undefined;
        continue;
      }
      for (const g of got) codes.add(g);
      prev = got[0];
    }
    void prev;
    if (s[this.pos] !== "]") throw new Error("unterminated class");
    this.pos++;
    if (negated || wide) return undefined;
    const folded = new Set<string>();
    for (const c of codes) {
      const f = foldCode(c);
      if (f < 0) return undefined; // a byte no factor holds: the class may match it
      folded.add(String.fromCharCode(f));
    }
    return folded.size <= MAX_CLASS ? exact(folded) : undefined;
  }
}

function single(code: number): Info {
  const f = foldCode(code);
  return f < 0 ? undefined : exact(new Set([String.fromCharCode(f)]));
}

/**
 * The factor set of a translated pattern (source for flags `sm`), lower-cased: every match
 * contains one of the strings, ASCII case aside. Undefined when nothing useful is known (some
 * match may contain none, or a factor is a single letter, digit or space: nearly every value
 * holds one).
 */
export function factorSet(jsSource: string): string[] | undefined {
  let info: Info;
  try {
    info = toAny(new FactorParser(jsSource).parse());
  } catch {
    return undefined; // syntax this walker does not know: no prefilter, never a wrong one
  }
  if (info === undefined) return undefined;
  const out = [...info.set];
  for (const f of out) if (f.length === 0 || (f.length === 1 && /[a-z0-9 ]/.test(f))) return undefined;
  return out;
}

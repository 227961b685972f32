/**
 * The values a rule can target, as the engine holds them during one transaction.
 *
 * A VarEntry is created once per value and per transaction; its object identity is what the
 * transformation cache keys on (Coraza keys on the key string pointer for the same reason), so a
 * value that changes (TX after setvar) is a new entry, never a mutated one.
 */
import type { ByteString } from "../types.js";

export interface VarEntry {
  /** Upper-case variable name: ARGS, REQUEST_URI, TX. */
  readonly variable: string;
  /** The key as it appears in the request ("" for variables without keys). */
  readonly key: ByteString;
  readonly value: ByteString;
  /** Name as ModSecurity logs it: `ARGS:foo`, `REQUEST_URI`. */
  readonly name: string;
  /**
   * Transformed values indexed by transformation-chain prefix id (small integers assigned at load);
   * filled on first use. An array, not a Map: this is the hottest lookup of an evaluation.
   */
  cache: Array<ByteString | undefined> | undefined;
}

class Entry implements VarEntry {
  readonly variable: string;
  readonly key: ByteString;
  readonly value: ByteString;
  cache: Array<ByteString | undefined> | undefined = undefined;
  /** Position in its collection's list when added (a hint: removals shift later entries). */
  at = -1;
  private logName: string | undefined = undefined;

  constructor(variable: string, key: ByteString, value: ByteString) {
    this.variable = variable;
    this.key = key;
    this.value = value;
  }

  /** Built on first use: most entries (TX after setvar, arguments no rule matched) never need it. */
  get name(): string {
    if (this.logName === undefined)
      this.logName = this.key === "" ? this.variable : `${this.variable}:${this.key}`;
    return this.logName;
  }
}

export function entry(variable: string, key: ByteString, value: ByteString): VarEntry {
  return new Entry(variable, key, value);
}

/**
 * An ordered multi-map with case-insensitive keys, as ModSecurity's collections (ARGS may hold the
 * same name twice; `ARGS:Foo` and `ARGS:foo` select the same values).
 */
export class Collection {
  readonly variable: string;
  private list: VarEntry[] = [];
  private index: Map<string, VarEntry[]> | undefined;

  constructor(variable: string) {
    this.variable = variable;
  }

  private self: readonly Collection[] | undefined;

  /** `[this]`, allocated once: variable definitions return lists of collections on every rule. */
  get asList(): readonly Collection[] {
    if (this.self === undefined) this.self = [this];
    return this.self;
  }

  get entries(): readonly VarEntry[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  add(key: ByteString, value: ByteString): VarEntry {
    const e = new Entry(this.variable, key, value);
    e.at = this.list.length;
    this.list.push(e);
    if (this.index !== undefined) {
      const k = key.toLowerCase();
      const found = this.index.get(k);
      if (found === undefined) this.index.set(k, [e]);
      else found.push(e);
    }
    return e;
  }

  /**
   * Replaces every value under `key` by one (TX semantics: one value per key). A single existing
   * value is replaced in place, keeping its position: setvar on TX is frequent (CRS scores).
   */
  set(key: ByteString, value: ByteString): VarEntry {
    const k = key.toLowerCase();
    const found = this.get(k);
    if (found.length === 1) {
      const old = found[0] as VarEntry;
      // The position hint saves a scan of the list (TX holds ~150 entries; CRS sets ~100 a request).
      const hint = old instanceof Entry ? old.at : -1;
      const at = hint >= 0 && this.list[hint] === old ? hint : this.list.indexOf(old);
      const e = new Entry(this.variable, key, value);
      e.at = at;
      this.list[at] = e;
      // In place: the index's array for the key, one allocation fewer per setvar. Callers of
      // get() iterate its result at once and keep no reference across a set.
      (found as VarEntry[])[0] = e;
      return e;
    }
    if (found.length > 1) this.remove(key);
    return this.add(key, value);
  }

  /** Entries whose key equals `lowerKey` (already lower-cased), in order. */
  get(lowerKey: string): readonly VarEntry[] {
    if (this.index === undefined) {
      // Built on first keyed lookup: many collections are only ever iterated whole.
      this.index = new Map();
      for (const e of this.list) {
        const k = e.key.toLowerCase();
        const found = this.index.get(k);
        if (found === undefined) this.index.set(k, [e]);
        else found.push(e);
      }
    }
    return this.index.get(lowerKey) ?? EMPTY;
  }

  first(lowerKey: string): VarEntry | undefined {
    return this.get(lowerKey)[0];
  }

  remove(key: ByteString): void {
    const k = key.toLowerCase();
    const found = this.get(k);
    if (found.length === 0) return;
    for (const e of found) {
      const at = this.list.indexOf(e);
      if (at !== -1) this.list.splice(at, 1);
    }
    this.index!.delete(k);
  }

  clear(): void {
    // A fresh array rather than `length = 0`: setting an array's length is a runtime call that
    // showed in profiles (MATCHED_VARS is cleared before every rule that follows a match), and
    // a young array costs less. Nobody keeps `entries` across a clear.
    if (this.list.length !== 0) this.list = [];
    this.index = undefined;
  }
}

const EMPTY: readonly VarEntry[] = [];

/** No collection: what a variable absent from this transaction lists (shared, never allocated per rule). */
export const NO_COLLECTIONS: readonly Collection[] = Object.freeze([]);

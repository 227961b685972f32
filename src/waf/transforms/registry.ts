/**
 * The registry of SecLang transformations (`t:lowercase`, `t:urlDecodeUni`, ...). Each transformation
 * file registers itself at import; the parser and engine only ask the registry, so adding a
 * transformation is adding one file (and importing it from index.ts). Names are case-insensitive,
 * as in ModSecurity and Coraza (`t:URLDecodeUni` is `t:urlDecodeUni`).
 */
import type { Transform } from "../types.js";

interface Entry {
  readonly name: string;
  readonly fn: Transform;
}

const byName = new Map<string, Entry>();

/**
 * Registers `fn` under `name` (case-insensitive). A later registration of the same name replaces
 * the earlier one, as Coraza's `transformations.Register` does, so a deployment can override a
 * built-in with its own file.
 */
export function registerTransform(name: string, fn: Transform): void {
  byName.set(name.toLowerCase(), { name, fn });
}

/** The transformation registered under `name` (any case), or undefined when there is none. */
export function getTransform(name: string): Transform | undefined {
  return byName.get(name.toLowerCase())?.fn;
}

/** Registered names as they were registered (ModSecurity's spelling), sorted case-insensitively. */
export function transformNames(): string[] {
  return [...byName.values()]
    .map((e) => e.name)
    .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}
